// Package xlsx writes spreadsheets with excelize's StreamWriter, so that an
// export of any number of rows holds only a bounded part of them in memory
// (excelize spills the sheet to a temporary file past its threshold).
package xlsx

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// MediaType is the content type of an .xlsx file.
const MediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Write writes a workbook of one sheet to w: a bold header row, then every
// row rows yields (each value a string, number, bool or time), with the
// header frozen and columns as wide as widths says (in characters; a
// missing width keeps the default). rows returns the first error of yield
// or its own.
func Write(w io.Writer, sheet string, header []string, widths []float64, rows func(yield func(row []any) error) error) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	n := 1
	if err := rows(func(row []any) error {
		n++
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, row)
	}); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}
