package recruit

import "fmt"

// Section names a part of what an applicant enters: the four profile
// sections and the choice (志愿).
type Section string

// Sections, as Revision.Kind names them.
const (
	SectionBasic        Section = "basic"        // 基本信息
	SectionWork         Section = "work"         // 工作信息
	SectionEducation    Section = "education"    // 教育经历 (one record)
	SectionCertificates Section = "certificates" // 证书信息
	SectionChoice       Section = "choice"       // 报考志愿
)

// Field is one entry of the field catalogue: Key is the JSON name of the
// section's field (Basic, Work, Education, Certificates, Choice), which is
// also the key of the validators' messages and the name of the form input;
// Label is its Chinese name on every form, page, PDF and export.
type Field struct {
	Key     string
	Label   string
	Section Section
}

// catalogue is every field in the order the structs declare them. Name, ID
// type and ID number come from the binding (Basic.IDNumber is not stored
// with the profile); base is the choice's 培训基地, chosen to find the
// program.
var catalogue = []Field{
	{"name", "医师姓名", SectionBasic},
	{"id_type", "证件类型", SectionBasic},
	{"id_number", "证件编号", SectionBasic},
	{"gender", "性别", SectionBasic},
	{"birth_date", "出生日期", SectionBasic},
	{"ethnicity", "民族", SectionBasic},
	{"political", "政治面貌", SectionBasic},
	{"phone", "手机", SectionBasic},
	{"email", "邮箱", SectionBasic},
	{"qq", "QQ", SectionBasic},
	{"personnel_type", "人员类型", SectionBasic},
	{"photo_id", "证件照片", SectionBasic},

	{"has_employer", "是否有工作单位", SectionWork},
	{"work_start", "参加工作时间", SectionWork},
	{"work_years", "工作年限", SectionWork},
	{"employer_name", "工作单位名称", SectionWork},
	{"employer_code", "工作单位统一社会信用代码/组织机构代码", SectionWork},
	{"hospital_level", "工作单位医院级别", SectionWork},
	{"hospital_grade", "工作单位医院等次", SectionWork},
	{"institution_category", "工作单位医疗卫生机构类别", SectionWork},
	{"affiliation", "工作单位医疗卫生机构隶属关系", SectionWork},
	{"western_support", "是否为西部支援住院医师", SectionWork},
	{"military", "是否为军队住院医师", SectionWork},
	{"order_directed", "是否为订单定向公费医学生", SectionWork},

	{"level", "教育层次", SectionEducation},
	{"in_school", "是否在读", SectionEducation},
	{"full_time", "是否全日制", SectionEducation},
	{"school", "在读/毕业院校", SectionEducation},
	{"major", "在读/毕业专业", SectionEducation},
	{"qualification", "学历", SectionEducation},
	{"qualification_date", "取得学历时间", SectionEducation},
	{"graduation_date", "毕业时间(或预计)", SectionEducation},
	{"has_diploma", "是否获得毕业证书", SectionEducation},
	{"diploma_no", "学历证书编号", SectionEducation},
	{"degree", "学位", SectionEducation},
	{"has_degree_cert", "是否获得学位证书", SectionEducation},
	{"degree_date", "取得学位时间", SectionEducation},
	{"degree_cert_no", "学位证书编号", SectionEducation},
	{"start_date", "入学时间", SectionEducation},

	{"passed_exam", "是否通过医师资格考试", SectionCertificates},
	{"exam_date", "通过医师资格考试时间", SectionCertificates},
	{"has_qual_cert", "是否获得医师资格证书", SectionCertificates},
	{"qual_level", "医师资格级别", SectionCertificates},
	{"qual_category", "医师资格类别", SectionCertificates},
	{"qual_cert_no", "医师资格证书编号", SectionCertificates},
	{"qual_cert_date", "取得医师资格证书时间", SectionCertificates},
	{"has_practising", "是否有执业医师", SectionCertificates},
	{"practising_no", "执业医师证书编号", SectionCertificates},
	{"practising_date", "执业医师资格证书获取时间", SectionCertificates},
	{"foreign_lang_type", "外语等级考试类型", SectionCertificates},
	{"foreign_lang_level", "外语等级(非英语)", SectionCertificates},
	{"foreign_lang_cert_no", "外语等级考试证书编号", SectionCertificates},
	{"foreign_lang_cert_date", "外语等级考试证书取得时间", SectionCertificates},
	{"english_level", "英语等级", SectionCertificates},
	{"qual_scan_id", "医师资格证书扫描件", SectionCertificates},
	{"practising_scan_id", "执业医师资格证书扫描件", SectionCertificates},
	{"degree_scan_id", "最高学历证书扫描件", SectionCertificates},

	{"base", "培训基地", SectionChoice},
	{"program_id", "培训专业", SectionChoice},
	{"accepts_adjustment", "是否接受调剂", SectionChoice},
}

// mobileLabels are the names the seed's phone pages (7.17) give where they
// differ from Label, and the phone's name of the choice's submit button
// (SubmitChoice; 提交报名信息 on the PC, seed 6.6).
var mobileLabels = map[string]string{
	"base":       "报名基地",
	"program_id": "报名专业",
	SubmitChoice: "确定报考",
}

// SubmitChoice is the key of the choice's submit button in MobileLabel.
const SubmitChoice = "submit_choice"

// MobileLabel returns the phone's name of the catalogued field key (or of
// SubmitChoice), its Label where the phone uses the same; false for an
// unknown key.
func MobileLabel(key string) (string, bool) {
	if l, ok := mobileLabels[key]; ok {
		return l, true
	}
	f, ok := fieldByKey[key]
	return f.Label, ok
}

// fieldByKey indexes the catalogue; keys are unique across sections.
var fieldByKey = func() map[string]Field {
	m := make(map[string]Field, len(catalogue))
	for _, f := range catalogue {
		if _, dup := m[f.Key]; dup {
			panic("recruit: field " + f.Key + " is catalogued twice")
		}
		m[f.Key] = f
	}
	return m
}()

// LookupField returns the catalogue entry of key, false when there is none.
func LookupField(key string) (Field, bool) {
	f, ok := fieldByKey[key]
	return f, ok
}

// FieldLabel returns the label of the catalogued field key. An unknown key
// is a programming error: it panics, so that a mistyped key fails at
// start-up (labels are read into package-level tables) and in every test.
func FieldLabel(key string) string {
	f, ok := fieldByKey[key]
	if !ok {
		panic(fmt.Sprintf("recruit: no field %q in the catalogue", key))
	}
	return f.Label
}

// Fields returns the fields of section s in catalogue order.
func Fields(s Section) []Field {
	var out []Field
	for _, f := range catalogue {
		if f.Section == s {
			out = append(out, f)
		}
	}
	return out
}
