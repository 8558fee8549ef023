package regform

import (
	"fmt"
	"strconv"

	"zhupei/recruit"
)

// field is one value of a table with the label of its key in the field
// catalogue (recruit.FieldLabel). A wide field takes a whole row; the others
// are paired two to a row.
type field struct {
	key, value string
	wide       bool
}

func (f field) label() string { return recruit.FieldLabel(f.key) }

// section is one titled part of the form. Its rows come from fields; an
// empty section prints notFilled.
type section struct {
	title string
	rows  []row
}

const notFilled = "（未填写）"

// integrityDeclaration is the 诚信声明 paragraph.
const integrityDeclaration = "本人承诺所填信息真实、准确、完整，所提交的证件、证书及证明材料真实有效，" +
	"并已阅读、知晓招录报名的相关政策和要求。如有虚假，本人愿意承担由此产生的一切后果，" +
	"取消招录及培训资格，责任自负。"

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func uploaded(id string) string {
	if id != "" {
		return "已上传"
	}
	return "未上传"
}

// sections returns the tables of f in printing order.
func sections(f Form) []section {
	p := f.Profile
	return []section{
		{title: "一、基本信息", rows: fieldRows(basicFields(p.Basic))},
		{title: "二、工作信息", rows: fieldRows(workFields(p.Work))},
		{title: "三、教育经历", rows: educationRows(p.Education)},
		{title: "四、证书信息", rows: fieldRows(certificateFields(p.Certificates))},
		{title: "五、报考志愿", rows: fieldRows([]field{
			{key: "base", value: f.BaseName, wide: true},
			{key: "program_id", value: f.SpecialtyName, wide: true},
			{key: "accepts_adjustment", value: yesNo(f.AcceptsAdjustment)},
		})},
		{title: "六、诚信声明", rows: []row{{kind: rowText, text: integrityDeclaration}, {kind: rowSignature}}},
	}
}

// formTexts returns every text of f that the layout draws besides its
// fixed texts, for checking a font covers them.
func formTexts(f Form) []string {
	texts := append([]string{formTitle(f.Year), runningHeader(f)}, headerLines(f)...)
	for _, s := range sections(f) {
		texts = append(texts, s.title)
		for _, r := range s.rows {
			texts = append(texts, r.text)
			for _, fd := range r.fields {
				texts = append(texts, fd.label(), fd.value)
			}
		}
	}
	return texts
}

func basicFields(b *recruit.Basic) []field {
	if b == nil {
		return nil
	}
	return []field{
		{key: "name", value: b.Name},
		{key: "gender", value: b.Gender},
		{key: "id_type", value: b.IDType},
		{key: "id_number", value: b.IDNumber},
		{key: "birth_date", value: b.BirthDate},
		{key: "ethnicity", value: b.Ethnicity},
		{key: "political", value: b.Political},
		{key: "personnel_type", value: b.PersonnelType},
		{key: "phone", value: b.Phone},
		{key: "qq", value: b.QQ},
		{key: "email", value: b.Email, wide: true},
	}
}

func workFields(w *recruit.Work) []field {
	if w == nil {
		return nil
	}
	return []field{
		{key: "has_employer", value: yesNo(w.HasEmployer)},
		{key: "work_start", value: w.WorkStart},
		{key: "work_years", value: strconv.Itoa(w.WorkYears)},
		{key: "order_directed", value: yesNo(w.OrderDirected)},
		{key: "employer_name", value: w.EmployerName, wide: true},
		{key: "employer_code", value: w.EmployerCode, wide: true},
		{key: "hospital_level", value: w.HospitalLevel},
		{key: "hospital_grade", value: w.HospitalGrade},
		{key: "institution_category", value: w.InstitutionCategory, wide: true},
		{key: "affiliation", value: w.Affiliation, wide: true},
		{key: "western_support", value: yesNo(w.WesternSupport)},
		{key: "military", value: yesNo(w.Military)},
	}
}

func educationRows(eds []recruit.Education) []row {
	var rows []row
	for i, e := range eds {
		rows = append(rows, row{kind: rowHeading, text: fmt.Sprintf("教育经历 %d（%s）", i+1, e.Level)})
		rows = append(rows, fieldRows([]field{
			{key: "level", value: e.Level},
			{key: "in_school", value: yesNo(e.InSchool)},
			{key: "full_time", value: yesNo(e.FullTime)},
			{key: "start_date", value: e.StartDate},
			{key: "school", value: e.School, wide: true},
			{key: "major", value: e.Major, wide: true},
			{key: "qualification", value: e.Qualification},
			{key: "qualification_date", value: e.QualificationDate},
			{key: "graduation_date", value: e.GraduationDate},
			{key: "has_diploma", value: yesNo(e.HasDiploma)},
			{key: "diploma_no", value: e.DiplomaNo, wide: true},
			{key: "degree", value: e.Degree},
			{key: "has_degree_cert", value: yesNo(e.HasDegreeCert)},
			{key: "degree_date", value: e.DegreeDate},
			{key: "degree_cert_no", value: e.DegreeCertNo},
		})...)
	}
	if rows == nil {
		return fieldRows(nil)
	}
	return rows
}

func certificateFields(c *recruit.Certificates) []field {
	if c == nil {
		return nil
	}
	return []field{
		{key: "passed_exam", value: yesNo(c.PassedExam)},
		{key: "exam_date", value: c.ExamDate},
		{key: "has_qual_cert", value: yesNo(c.HasQualCert)},
		{key: "qual_level", value: c.QualLevel},
		{key: "qual_category", value: c.QualCategory},
		{key: "qual_cert_no", value: c.QualCertNo},
		{key: "qual_cert_date", value: c.QualCertDate},
		{key: "has_practising", value: yesNo(c.HasPractising)},
		{key: "practising_no", value: c.PractisingNo},
		{key: "practising_date", value: c.PractisingDate},
		{key: "foreign_lang_type", value: c.ForeignLangType},
		{key: "foreign_lang_level", value: c.ForeignLangLevel},
		{key: "foreign_lang_cert_no", value: c.ForeignLangCertNo},
		{key: "foreign_lang_cert_date", value: c.ForeignLangCertDate},
		{key: "english_level", value: c.EnglishLevel},
		{key: "qual_scan_id", value: uploaded(c.QualScanID)},
		{key: "practising_scan_id", value: uploaded(c.PractisingScanID)},
		{key: "degree_scan_id", value: uploaded(c.DegreeScanID)},
	}
}

// fieldRows pairs fields into table rows: a wide field, or a narrow one
// without a narrow partner next to it, takes a row alone. No fields give
// one row saying the section is not filled.
func fieldRows(fields []field) []row {
	if len(fields) == 0 {
		return []row{{kind: rowText, text: notFilled}}
	}
	var rows []row
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if !f.wide && i+1 < len(fields) && !fields[i+1].wide {
			rows = append(rows, row{kind: rowFields, fields: []field{f, fields[i+1]}})
			i++
			continue
		}
		rows = append(rows, row{kind: rowFields, fields: []field{f}})
	}
	return rows
}
