package hotline

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

const (
	templateSheet = "12345工单"
	helpSheet     = "说明"
	errorSheet    = "错误报告"
)

// example is the sample row of the template, in field order.
var example = [numFields]string{
	fHotlineID:  "HL2025093000123",
	fReceivedAt: "2025-09-30 10:03",
	fCaller:     "王女士",
	fPhone:      "13800138000",
	fAddress:    "长宁区新泾镇天山西路某小区12号楼",
	fLng:        "121.3652",
	fLat:        "31.2186",
	fKind:       "投诉",
	fCategory:   "城市管理/市容环境/占道经营",
	fContent:    "小区门口早晚有摊贩占道经营，影响通行，希望管理。",
	fLimitDays:  "5",
	fTown:       "新泾镇",
}

// WriteTemplate writes the downloadable xlsx template: the header row and
// one example row on the first sheet, and a 说明 sheet describing every
// column. Cells that Excel likes to mangle (order number, phone, time) are
// formatted as text.
func WriteTemplate(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", templateSheet); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	reqStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}})
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	optStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}})
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": keep as typed
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	for fi := field(0); fi < numFields; fi++ {
		col, _ := excelize.ColumnNumberToName(int(fi) + 1)
		style := optStyle
		if fields[fi].required {
			style = reqStyle
		}
		if fi == fHotlineID || fi == fPhone || fi == fReceivedAt {
			if err := f.SetColStyle(templateSheet, col, textStyle); err != nil {
				return fmt.Errorf("template: %w", err)
			}
		}
		width := 14.0
		switch fi {
		case fContent:
			width = 48
		case fAddress, fCategory:
			width = 30
		case fHotlineID, fReceivedAt:
			width = 18
		}
		if err := f.SetColWidth(templateSheet, col, col, width); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		if err := f.SetCellStr(templateSheet, col+"1", fi.label()); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		if err := f.SetCellStyle(templateSheet, col+"1", col+"1", style); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		if err := f.SetCellStr(templateSheet, col+"2", example[fi]); err != nil {
			return fmt.Errorf("template: %w", err)
		}
	}
	if err := f.SetPanes(templateSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("template: %w", err)
	}

	if _, err := f.NewSheet(helpSheet); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	help := [][]any{
		{"列名", "是否必填", "也可写作", "格式"},
	}
	for fi := field(0); fi < numFields; fi++ {
		req := "选填"
		if fields[fi].required {
			req = "必填"
		}
		var syn []string
		for _, s := range fields[fi].synonyms[1:] {
			if !strings.Contains(s, "_") {
				syn = append(syn, s)
			}
		}
		help = append(help, []any{fi.label(), req, strings.Join(syn, "、"), fields[fi].format})
	}
	help = append(help, []any{}, []any{"说明"},
		[]any{"1. 表头可在前10行内任意一行，列顺序不限，多余的列会被忽略；红色为必填列。"},
		[]any{"2. 同一文件内工单编号不得重复；重复导入同一工单编号不会新建工单，只更新热线字段。"},
		[]any{"3. 有错误的行整行不导入，系统会生成错误报告（行号、列、原因），改正后重新导入即可。"},
		[]any{"4. CSV 可用 UTF-8 或 GB18030/GBK 编码，系统自动识别。"},
	)
	for i, r := range help {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(helpSheet, cell, &r); err != nil {
			return fmt.Errorf("template: %w", err)
		}
	}
	if err := f.SetCellStyle(helpSheet, "A1", "D1", optStyle); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	for col, wd := range map[string]float64{"A": 14, "B": 10, "C": 36, "D": 70} {
		if err := f.SetColWidth(helpSheet, col, col, wd); err != nil {
			return fmt.Errorf("template: %w", err)
		}
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

// WriteErrorReport writes rejected rows as an xlsx with the columns
// 行号 / 列 / 原因, one line per problem, in the order given. It streams, so a
// report of a million errors does not build a million-cell sheet in memory.
func WriteErrorReport(w io.Writer, errs []RowError) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", errorSheet); err != nil {
		return fmt.Errorf("error report: %w", err)
	}
	sw, err := f.NewStreamWriter(errorSheet)
	if err != nil {
		return fmt.Errorf("error report: %w", err)
	}
	if err := sw.SetColWidth(1, 1, 8); err != nil {
		return fmt.Errorf("error report: %w", err)
	}
	if err := sw.SetColWidth(2, 2, 16); err != nil {
		return fmt.Errorf("error report: %w", err)
	}
	if err := sw.SetColWidth(3, 3, 80); err != nil {
		return fmt.Errorf("error report: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("error report: %w", err)
	}
	if err := sw.SetRow("A1", []any{"行号", "列", "原因"}); err != nil {
		return fmt.Errorf("error report: %w", err)
	}
	for i, e := range errs {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{e.Line, e.Column, e.Reason}); err != nil {
			return fmt.Errorf("error report row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("error report: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write error report: %w", err)
	}
	return nil
}
