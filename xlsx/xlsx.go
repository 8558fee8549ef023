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

// Sheet is one sheet of a workbook: a bold header row, then every row Rows
// yields (each value a string, number, bool or time), with the header
// frozen and columns as wide as Widths says (in characters; a missing
// width keeps the default). Rows returns the first error of yield or its
// own.
type Sheet struct {
	Name   string
	Header []string
	Widths []float64
	Rows   func(yield func(row []any) error) error
}

// Write writes a workbook of one sheet to w (see Sheet).
func Write(w io.Writer, sheet string, header []string, widths []float64, rows func(yield func(row []any) error) error) error {
	return WriteSheets(w, Sheet{Name: sheet, Header: header, Widths: widths, Rows: rows})
}

// WriteSheets writes a workbook of sheets, in order, to w.
func WriteSheets(w io.Writer, sheets ...Sheet) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, s := range sheets {
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.Name)
		} else {
			_, err = f.NewSheet(s.Name)
		}
		if err != nil {
			return err
		}
		if err := writeSheet(f, s, bold); err != nil {
			return err
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// writeSheet streams s into its sheet of f, the header in style bold.
func writeSheet(f *excelize.File, s Sheet, bold int) error {
	sw, err := f.NewStreamWriter(s.Name)
	if err != nil {
		return err
	}
	for i, wd := range s.Widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(s.Header))
	for i, h := range s.Header {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	n := 1
	if err := s.Rows(func(row []any) error {
		n++
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, row)
	}); err != nil {
		return err
	}
	return sw.Flush()
}
