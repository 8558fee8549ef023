package regform

import (
	"fmt"
	"strconv"

	"zhupei/recruit"
)

// field is one label and value of a table. A wide field takes a whole row;
// the others are paired two to a row.
type field struct {
	label, value string
	wide         bool
}

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
			{label: "培训基地", value: f.BaseName, wide: true},
			{label: "培训专业", value: f.SpecialtyName, wide: true},
			{label: "是否接受调剂", value: yesNo(f.AcceptsAdjustment)},
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
				texts = append(texts, fd.label, fd.value)
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
		{label: "姓名", value: b.Name},
		{label: "性别", value: b.Gender},
		{label: "证件类型", value: b.IDType},
		{label: "证件编号", value: b.IDNumber},
		{label: "出生日期", value: b.BirthDate},
		{label: "民族", value: b.Ethnicity},
		{label: "政治面貌", value: b.Political},
		{label: "人员类型", value: b.PersonnelType},
		{label: "手机", value: b.Phone},
		{label: "QQ", value: b.QQ},
		{label: "邮箱", value: b.Email, wide: true},
	}
}

func workFields(w *recruit.Work) []field {
	if w == nil {
		return nil
	}
	return []field{
		{label: "是否有工作单位", value: yesNo(w.HasEmployer)},
		{label: "参加工作时间", value: w.WorkStart},
		{label: "工作年限", value: strconv.Itoa(w.WorkYears)},
		{label: "是否为订单定向公费医学生", value: yesNo(w.OrderDirected)},
		{label: "工作单位名称", value: w.EmployerName, wide: true},
		{label: "工作单位统一社会信用代码/组织机构代码", value: w.EmployerCode, wide: true},
		{label: "工作单位医院级别", value: w.HospitalLevel},
		{label: "工作单位医院等次", value: w.HospitalGrade},
		{label: "工作单位医疗卫生机构类别", value: w.InstitutionCategory, wide: true},
		{label: "工作单位医疗卫生机构隶属关系", value: w.Affiliation, wide: true},
		{label: "是否为西部支援住院医师", value: yesNo(w.WesternSupport)},
		{label: "是否为军队住院医师", value: yesNo(w.Military)},
	}
}

func educationRows(eds []recruit.Education) []row {
	var rows []row
	for i, e := range eds {
		rows = append(rows, row{kind: rowHeading, text: fmt.Sprintf("教育经历 %d（%s）", i+1, e.Level)})
		rows = append(rows, fieldRows([]field{
			{label: "学历层次", value: e.Level},
			{label: "是否在读", value: yesNo(e.InSchool)},
			{label: "是否全日制", value: yesNo(e.FullTime)},
			{label: "入学时间", value: e.StartDate},
			{label: "毕业院校", value: e.School, wide: true},
			{label: "毕业专业", value: e.Major, wide: true},
			{label: "学历", value: e.Qualification},
			{label: "取得学历时间", value: e.QualificationDate},
			{label: "毕业时间", value: e.GraduationDate},
			{label: "是否获得毕业证书", value: yesNo(e.HasDiploma)},
			{label: "学历证书编号", value: e.DiplomaNo, wide: true},
			{label: "学位", value: e.Degree},
			{label: "是否获得学位证书", value: yesNo(e.HasDegreeCert)},
			{label: "取得学位时间", value: e.DegreeDate},
			{label: "学位证书编号", value: e.DegreeCertNo},
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
		{label: "是否通过医师资格考试", value: yesNo(c.PassedExam)},
		{label: "通过医师资格考试时间", value: c.ExamDate},
		{label: "是否获得医师资格证书", value: yesNo(c.HasQualCert)},
		{label: "医师资格级别", value: c.QualLevel},
		{label: "医师资格类别", value: c.QualCategory},
		{label: "医师资格证书编号", value: c.QualCertNo},
		{label: "取得医师资格证书时间", value: c.QualCertDate},
		{label: "是否有执业医师", value: yesNo(c.HasPractising)},
		{label: "执业医师证书编号", value: c.PractisingNo},
		{label: "执业医师资格证书获取时间", value: c.PractisingDate},
		{label: "外语等级考试类型", value: c.ForeignLangType},
		{label: "外语等级(非英语)", value: c.ForeignLangLevel},
		{label: "外语等级考试证书编号", value: c.ForeignLangCertNo},
		{label: "外语等级考试证书取得时间", value: c.ForeignLangCertDate},
		{label: "英语等级", value: c.EnglishLevel},
		{label: "医师资格证书扫描件", value: uploaded(c.QualScanID)},
		{label: "执业医师资格证书扫描件", value: uploaded(c.PractisingScanID)},
		{label: "最高学历证书扫描件", value: uploaded(c.DegreeScanID)},
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
