package handlers

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// Field kinds of the applicant forms.
const (
	kindText   = "text"
	kindDate   = "date"
	kindSelect = "select"
	kindBool   = "bool" // a 是/否 select
	kindInt    = "int"
)

// Values of a kindBool field as forms send them.
const (
	yes = "是"
	no  = "否"
)

// fieldDef describes one input of a profile form. Name is the JSON name of
// the section's field, which is also the key of the validators' messages.
// A field with ShowIf is shown (by apply.js) only while the field ShowIf has
// one of the values ShowIn; the server validates whatever is submitted.
type fieldDef struct {
	Name        string
	Label       string
	Kind        string
	Options     []string
	Hints       []recruit.Option // explanations shown under a select
	Placeholder string
	Hint        string
	ShowIf      string
	ShowIn      []string
}

// ShowInAttr is the data-show-in attribute value.
func (d fieldDef) ShowInAttr() string { return strings.Join(d.ShowIn, "|") }

var yesOnly = []string{yes}

// workFields are the inputs of 工作信息 (seed 6.5, 7.14, 7.15).
var workFields = func() []fieldDef {
	employer := func(d fieldDef) fieldDef { d.ShowIf, d.ShowIn = "has_employer", yesOnly; return d }
	return []fieldDef{
		{Name: "has_employer", Label: recruit.FieldLabel("has_employer"), Kind: kindBool},
		employer(fieldDef{Name: "work_start", Label: recruit.FieldLabel("work_start"), Kind: kindDate}),
		employer(fieldDef{Name: "work_years", Label: recruit.FieldLabel("work_years"), Kind: kindInt, Placeholder: "请输入工作年限"}),
		employer(fieldDef{Name: "employer_name", Label: recruit.FieldLabel("employer_name"), Kind: kindText, Placeholder: "请输入工作单位名称"}),
		employer(fieldDef{Name: "employer_code", Label: recruit.FieldLabel("employer_code"), Kind: kindText, Placeholder: "请输入",
			Hint: "18位统一社会信用代码或9位组织机构代码"}),
		employer(fieldDef{Name: "hospital_level", Label: recruit.FieldLabel("hospital_level"), Kind: kindSelect, Options: recruit.HospitalLevels}),
		employer(fieldDef{Name: "hospital_grade", Label: recruit.FieldLabel("hospital_grade"), Kind: kindSelect, Options: recruit.HospitalGrades}),
		employer(fieldDef{Name: "institution_category", Label: recruit.FieldLabel("institution_category"), Kind: kindSelect, Options: recruit.InstitutionCategories}),
		employer(fieldDef{Name: "affiliation", Label: recruit.FieldLabel("affiliation"), Kind: kindSelect, Options: recruit.Affiliations}),
		{Name: "western_support", Label: recruit.FieldLabel("western_support"), Kind: kindBool},
		{Name: "military", Label: recruit.FieldLabel("military"), Kind: kindBool},
		{Name: "order_directed", Label: recruit.FieldLabel("order_directed"), Kind: kindBool,
			Hint: "本年度毕业的订单定向公费医学生，请在此栏目中选择“是”。"},
	}
}()

// basicFields are the editable inputs of 基本信息 (seed 6.1, 7.6); name and
// ID come from the binding and the photo is uploaded with the form.
var basicFields = []fieldDef{
	{Name: "gender", Label: recruit.FieldLabel("gender"), Kind: kindSelect, Options: recruit.Genders},
	{Name: "birth_date", Label: recruit.FieldLabel("birth_date"), Kind: kindDate},
	{Name: "ethnicity", Label: recruit.FieldLabel("ethnicity"), Kind: kindSelect, Options: recruit.Ethnicities},
	{Name: "political", Label: recruit.FieldLabel("political"), Kind: kindSelect, Options: recruit.PoliticalStatuses},
	{Name: "phone", Label: recruit.FieldLabel("phone"), Kind: kindText, Placeholder: "请输入手机号"},
	{Name: "email", Label: recruit.FieldLabel("email"), Kind: kindText, Placeholder: "请输入邮箱"},
	{Name: "qq", Label: recruit.FieldLabel("qq"), Kind: kindText, Placeholder: "请输入QQ"},
	{Name: "personnel_type", Label: recruit.FieldLabel("personnel_type"), Kind: kindSelect, Options: recruit.OptionValues(recruit.PersonnelTypes), Hints: recruit.PersonnelTypes},
}

// educationFields are the inputs of one 教育经历 record (seed 6.3, 7.9).
var educationFields = func() []fieldDef {
	diploma := func(d fieldDef) fieldDef { d.ShowIf, d.ShowIn = "has_diploma", yesOnly; return d }
	degree := func(d fieldDef) fieldDef { d.ShowIf, d.ShowIn = "has_degree_cert", yesOnly; return d }
	return []fieldDef{
		{Name: "level", Label: recruit.FieldLabel("level"), Kind: kindSelect, Options: recruit.EducationLevels, Hint: "是否中专、大专、本科、研究生、博士：每个层次填写一条"},
		{Name: "in_school", Label: recruit.FieldLabel("in_school"), Kind: kindBool},
		{Name: "full_time", Label: recruit.FieldLabel("full_time"), Kind: kindBool},
		{Name: "school", Label: recruit.FieldLabel("school"), Kind: kindText, Placeholder: "请填写"},
		{Name: "major", Label: recruit.FieldLabel("major"), Kind: kindText, Placeholder: "请填写"},
		{Name: "start_date", Label: recruit.FieldLabel("start_date"), Kind: kindDate},
		{Name: "qualification", Label: recruit.FieldLabel("qualification"), Kind: kindSelect, Options: recruit.Qualifications},
		{Name: "graduation_date", Label: recruit.FieldLabel("graduation_date"), Kind: kindDate},
		{Name: "has_diploma", Label: recruit.FieldLabel("has_diploma"), Kind: kindBool},
		diploma(fieldDef{Name: "qualification_date", Label: recruit.FieldLabel("qualification_date"), Kind: kindDate}),
		diploma(fieldDef{Name: "diploma_no", Label: recruit.FieldLabel("diploma_no"), Kind: kindText, Placeholder: "请填写"}),
		{Name: "degree", Label: recruit.FieldLabel("degree"), Kind: kindSelect, Options: recruit.Degrees},
		{Name: "has_degree_cert", Label: recruit.FieldLabel("has_degree_cert"), Kind: kindBool},
		degree(fieldDef{Name: "degree_date", Label: recruit.FieldLabel("degree_date"), Kind: kindDate}),
		degree(fieldDef{Name: "degree_cert_no", Label: recruit.FieldLabel("degree_cert_no"), Kind: kindText, Placeholder: "请填写"}),
	}
}()

// certificateFields are the inputs of 证书信息 (seed 6.4, 7.11).
var certificateFields = func() []fieldDef {
	when := func(field string, values []string, d fieldDef) fieldDef { d.ShowIf, d.ShowIn = field, values; return d }
	withCert := []string{recruit.LangCollegeEng, recruit.LangEnglishMajor, recruit.LangOther}
	return []fieldDef{
		{Name: "passed_exam", Label: recruit.FieldLabel("passed_exam"), Kind: kindBool},
		when("passed_exam", yesOnly, fieldDef{Name: "exam_date", Label: recruit.FieldLabel("exam_date"), Kind: kindDate}),
		{Name: "has_qual_cert", Label: recruit.FieldLabel("has_qual_cert"), Kind: kindBool},
		when("has_qual_cert", yesOnly, fieldDef{Name: "qual_level", Label: recruit.FieldLabel("qual_level"), Kind: kindSelect, Options: recruit.QualLevels}),
		when("has_qual_cert", yesOnly, fieldDef{Name: "qual_category", Label: recruit.FieldLabel("qual_category"), Kind: kindSelect, Options: recruit.QualCategories}),
		when("has_qual_cert", yesOnly, fieldDef{Name: "qual_cert_no", Label: recruit.FieldLabel("qual_cert_no"), Kind: kindText, Placeholder: "请输入"}),
		when("has_qual_cert", yesOnly, fieldDef{Name: "qual_cert_date", Label: recruit.FieldLabel("qual_cert_date"), Kind: kindDate}),
		{Name: "has_practising", Label: recruit.FieldLabel("has_practising"), Kind: kindBool},
		when("has_practising", yesOnly, fieldDef{Name: "practising_no", Label: recruit.FieldLabel("practising_no"), Kind: kindText, Placeholder: "请输入"}),
		when("has_practising", yesOnly, fieldDef{Name: "practising_date", Label: recruit.FieldLabel("practising_date"), Kind: kindDate}),
		{Name: "foreign_lang_type", Label: recruit.FieldLabel("foreign_lang_type"), Kind: kindSelect, Options: recruit.ForeignLangTypes},
		when("foreign_lang_type", []string{recruit.LangOther}, fieldDef{Name: "foreign_lang_level", Label: recruit.FieldLabel("foreign_lang_level"), Kind: kindText, Placeholder: "请输入"}),
		when("foreign_lang_type", withCert, fieldDef{Name: "foreign_lang_cert_no", Label: recruit.FieldLabel("foreign_lang_cert_no"), Kind: kindText, Placeholder: "请输入"}),
		when("foreign_lang_type", withCert, fieldDef{Name: "foreign_lang_cert_date", Label: recruit.FieldLabel("foreign_lang_cert_date"), Kind: kindDate}),
		{Name: "english_level", Label: recruit.FieldLabel("english_level"), Kind: kindSelect, Options: recruit.EnglishLevels},
	}
}()

// fieldView is one field as a template shows it.
type fieldView struct {
	fieldDef
	Value string
	Error string
	// Fixed shows the value without letting it be changed (the gender and
	// birth date that the ID number gives).
	Fixed bool
}

// formValues renders a stored section (nil: not filled) as the strings the
// form shows: booleans as 是/否, numbers in decimal. It relies on the
// sections' JSON names being the fields' names.
func formValues(section any) map[string]string {
	out := map[string]string{}
	raw, err := json.Marshal(section)
	if err != nil || string(raw) == "null" {
		return out
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return out
	}
	for k, v := range m {
		switch v := v.(type) {
		case bool:
			out[k] = no
			if v {
				out[k] = yes
			}
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case string:
			out[k] = v
		}
	}
	return out
}

// active reports whether d is shown for the submitted values.
func (d fieldDef) active(values map[string]string) bool {
	return d.ShowIf == "" || recruit.OneOf(d.ShowIn, values[d.ShowIf])
}

// readForm collects the submitted values of defs, trimmed.
func readForm(c *fiber.Ctx, defs []fieldDef) map[string]string {
	out := make(map[string]string, len(defs))
	for _, d := range defs {
		out[d.Name] = strings.TrimSpace(c.FormValue(d.Name))
	}
	return out
}

// decodeForm converts the raw values of defs into the section out (a
// pointer). A 是/否 or number field that is shown but not answered, or that
// holds something else, gets a field message; text and choices are left to
// the section's validator.
func decodeForm(defs []fieldDef, values map[string]string, out any) recruit.FieldErrors {
	fe := recruit.FieldErrors{}
	m := make(map[string]any, len(defs))
	for _, d := range defs {
		v := values[d.Name]
		switch d.Kind {
		case kindBool:
			switch {
			case v == yes:
				m[d.Name] = true
			case v == no || (v == "" && !d.active(values)):
				m[d.Name] = false
			default:
				fe.Add(d.Name, "请选择"+d.Label)
			}
		case kindInt:
			if v == "" && !d.active(values) {
				m[d.Name] = 0
				continue
			}
			n, err := strconv.Atoi(v)
			switch {
			case v == "":
				fe.Add(d.Name, "请填写"+d.Label)
			case err != nil:
				fe.Add(d.Name, d.Label+"应为整数")
			default:
				m[d.Name] = n
			}
		default:
			m[d.Name] = v
		}
	}
	raw, err := json.Marshal(m)
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	if err != nil {
		fe.Add("form", "表单内容无法识别")
	}
	return fe
}

// fieldViews pairs defs with values and the messages of err (a validation
// error); messages of fields not in defs are returned separately.
func fieldViews(defs []fieldDef, values map[string]string, fields map[string]string) []fieldView {
	out := make([]fieldView, len(defs))
	for i, d := range defs {
		out[i] = fieldView{fieldDef: d, Value: values[d.Name], Error: fields[d.Name]}
	}
	return out
}

// otherMessages returns the messages of fields that defs do not show, so
// that a page can list them above the form.
func otherMessages(defs []fieldDef, fields map[string]string, shown ...string) []string {
	known := map[string]bool{}
	for _, d := range defs {
		known[d.Name] = true
	}
	for _, s := range shown {
		known[s] = true
	}
	var out []string
	for k, v := range fields {
		if !known[k] {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}
