package province

import (
	"context"

	"zhupei/recruit"
)

var errNoAudit = recruit.Errorf(recruit.EFORBIDDEN, "仅基地管理员和省级管理员可以查看审计日志")

// Audit returns a page of the audit log matching f, newest first: the
// province reads every entry (f.BaseID filters), a base admin the entries
// of their own base only (another base is ENOTFOUND); reviewers are
// refused. A time range that ends before it starts is EINVALID.
func (s *Service) Audit(ctx context.Context, by recruit.Staff, f recruit.AuditFilter) ([]recruit.AuditEntry, error) {
	const op = "province.Audit"
	base, err := s.baseScope(ctx, by, f.BaseID, errNoAudit)
	if err != nil {
		return nil, recruit.WithOp(op, err)
	}
	if !f.From.IsZero() && !f.Until.IsZero() && !f.Until.After(f.From) {
		return nil, recruit.WithOp(op, recruit.Errorf(recruit.EINVALID, "审计日志的结束时间须晚于开始时间"))
	}
	f.BaseID = base
	es, err := s.store.ListAudit(ctx, f)
	return es, recruit.WithOp(op, err)
}
