package province

import (
	"context"
	"fmt"
	"io"

	"zhupei/recruit"
	"zhupei/xlsx"
)

// ActionExportPlacement names an export of the placement proposal in the
// audit log.
const ActionExportPlacement = "export_placement"

// PlacementExport describes a written export of the proposal: its file
// name (Chinese, and an ASCII fallback), the proposal's digest and how
// many applicants it lists.
type PlacementExport struct {
	Name, Fallback string
	Digest         string
	Rows           int
}

// ExportPlacement computes the placement proposal of the latest year now,
// as ProposePlacement, and writes it to w as an XLSX workbook: the sheet
// 调剂方案 with one row per applicant placed, by base and program (培训基地,
// 培训专业, 报名编号, 姓名, 第几志愿), and the sheet 未安排 with the pool
// members left out (报名编号, 姓名, their choice's base and specialty). The
// file is named after the proposal's digest, as the console shows it
// (方案编号), so it can be matched with the screen. Only an enabled
// province admin may; the export is audited with the digest and counts.
func (s *Service) ExportPlacement(ctx context.Context, by recruit.Staff, w io.Writer) (PlacementExport, error) {
	const op = "province.ExportPlacement"
	y, p, pool, err := s.latestProposal(ctx, by, "导出调剂方案")
	if err != nil {
		return PlacementExport{}, recruit.WithOp(op, err)
	}
	member := make(map[int64]recruit.Application, len(pool.Members))
	for _, m := range pool.Members {
		member[m.App.ID] = m.App
	}
	name := func(appID int64) (string, error) {
		id, err := s.store.GetIdentity(ctx, member[appID].IdentityID)
		return id.Name, err
	}
	placed := xlsx.Sheet{Name: "调剂方案", Header: []string{"培训基地", "培训专业", "报名编号", "姓名", "第几志愿"}, Widths: []float64{36, 20, 10, 12, 10},
		Rows: func(yield func([]any) error) error {
			for _, b := range p.Bases {
				for _, pp := range b.Programs {
					for _, e := range pp.Placed {
						n, err := name(e.AppID)
						if err != nil {
							return err
						}
						if err := yield([]any{b.BaseName, pp.SpecialtyName, e.AppID, n, e.Preference}); err != nil {
							return err
						}
					}
				}
			}
			return nil
		}}
	unplaced := xlsx.Sheet{Name: "未安排", Header: []string{"报名编号", "姓名", "报考基地", "报考专业"}, Widths: []float64{10, 12, 36, 20},
		Rows: func(yield func([]any) error) error {
			for _, e := range p.Unplaced {
				n, err := name(e.AppID)
				if err != nil {
					return err
				}
				prog, _ := pool.Program(member[e.AppID].ProgramID)
				if err := yield([]any{e.AppID, n, prog.BaseName, prog.SpecialtyName}); err != nil {
					return err
				}
			}
			return nil
		}}
	if err := xlsx.WriteSheets(w, placed, unplaced); err != nil {
		if recruit.ErrorCode(err) == recruit.EINTERNAL {
			err = recruit.Internal(err)
		}
		return PlacementExport{}, recruit.WithOp(op, err)
	}
	code := p.Digest[:12]
	stamp := p.ComputedAt.In(recruit.Shanghai).Format("20060102-1504")
	ex := PlacementExport{Name: fmt.Sprintf("调剂方案-%d-%s-%s.xlsx", y.Year, code, stamp), Fallback: fmt.Sprintf("placement-%d-%s-%s.xlsx", y.Year, code, stamp),
		Digest: p.Digest, Rows: p.Placed + len(p.Unplaced)}
	after := map[string]any{"digest": p.Digest, "placed": p.Placed, "unplaced": len(p.Unplaced)}
	if err := recruit.RecordStaffAction(ctx, s.store, by, s.now(), 0, ActionExportPlacement, fmt.Sprintf("year:%d", y.Year), nil, after, ""); err != nil {
		return PlacementExport{}, recruit.WithOp(op, err)
	}
	return ex, nil
}
