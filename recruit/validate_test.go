package recruit

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// testNow is the fixed "today" of the validator tests: 2024-07-05 Shanghai.
var testNow = time.Date(2024, 7, 5, 10, 0, 0, 0, Shanghai)

// refIDCheck computes the GB 11643 check character of the first 17 digits
// from the definition (ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, the full
// weighted sum ≡ 1 mod 11), independently of the table in validate.go.
func refIDCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		w := 1
		for k := 0; k < 17-i; k++ {
			w = w * 2 % 11
		}
		sum += int(first17[i]-'0') * w
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// makeID builds a valid resident ID number from region, birth (YYYYMMDD) and
// a three-digit sequence.
func makeID(region, birth, seq string) string {
	s := region + birth + seq
	return s + string(refIDCheck(s))
}

// refCreditCheck computes the GB 32100 check character from the definition:
// weights 3^i mod 31, check = 31 - sum mod 31 (31 → 0).
func refCreditCheck(first17 string) byte {
	const cs = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	sum, w := 0, 1
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(cs, first17[i]) * w
		w = w * 3 % 31
	}
	return cs[(31-sum%31)%31]
}

// refOrgCheck computes the GB 11714 check character of eight body characters.
func refOrgCheck(body string) byte {
	weights := []int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += strings.IndexByte("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", body[i]) * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// wantOK fails unless err is nil.
func wantOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("want no error, got %v", err)
	}
}

// wantInvalid fails unless err is an EINVALID *Error whose message contains msg.
func wantInvalid(t *testing.T, err error, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID {
		t.Fatalf("want EINVALID error containing %q, got %v", msg, err)
	}
	if !strings.Contains(e.Message, msg) {
		t.Fatalf("message %q does not contain %q", e.Message, msg)
	}
}

// wantField fails unless err is an EINVALID *Error with a message for field
// containing msg.
func wantField(t *testing.T, err error, field, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID {
		t.Fatalf("want EINVALID error on %s containing %q, got %v", field, msg, err)
	}
	got, ok := e.Fields[field]
	if !ok {
		t.Fatalf("no message for field %q; fields: %v", field, e.Fields)
	}
	if !strings.Contains(got, msg) {
		t.Fatalf("field %s: message %q does not contain %q", field, got, msg)
	}
}

func TestRefImplementationsAgreeWithPublishedExamples(t *testing.T) {
	// Published examples: the GB 11643 sample number and a real credit code.
	if got := refIDCheck("11010519491231002"); got != 'X' {
		t.Fatalf("refIDCheck = %c, want X", got)
	}
	if got := refCreditCheck("91350100M000100Y4"); got != '3' {
		t.Fatalf("refCreditCheck = %c, want 3", got)
	}
	// The organization-code part of that credit code carries its own check.
	if got := refOrgCheck("M000100Y"); got != '4' {
		t.Fatalf("refOrgCheck = %c, want 4", got)
	}
}

func TestValidateIDNumberResident(t *testing.T) {
	male := makeID("370102", "19950615", "123")
	female := makeID("370102", "19960229", "124")
	withX := "11010519491231002X"
	// flip changes the check character of a valid number to a wrong one.
	flip := func(id string) string {
		c := byte('0')
		if id[17] == '0' {
			c = '1'
		}
		return id[:17] + string(c)
	}
	valid := []string{withX, strings.ToLower(withX), male, female, makeID("830000", "19800101", "001")}
	for _, id := range valid {
		wantOK(t, ValidateIDNumberAt(IDTypeResident, id, testNow))
	}
	invalid := []struct{ number, msg string }{
		{"", "请填写证件号码"},
		{withX[:17], "应为18位，当前为17位"},
		{withX + "1", "应为18位，当前为19位"},
		{"1101051949123100AX", "第17位应为数字"},
		{"11010519491231002Y", "最后一位应为数字或X"},
		{"１１０１０５１９４９１２３１００２Ｘ", "第1位应为数字"},
		{flip(male), "身份证号码校验位错误"},
		{flip(withX), "身份证号码校验位错误"},
		{makeID("000000", "19900101", "001"), "地区码无效"},
		{makeID("990101", "19900101", "001"), "地区码无效"},
		{makeID("370102", "19900230", "001"), "出生日期无效"},
		{makeID("370102", "18991231", "001"), "出生日期无效"},
		{makeID("370102", "20240706", "001"), "出生日期晚于今天"},
	}
	for _, c := range invalid {
		t.Run(c.number, func(t *testing.T) {
			wantInvalid(t, ValidateIDNumberAt(IDTypeResident, c.number, testNow), c.msg)
		})
	}
	// A birth date of today is accepted.
	wantOK(t, ValidateIDNumberAt(IDTypeResident, makeID("370102", "20240705", "001"), testNow))
	// ValidateIDNumber uses the real clock: an old valid number passes.
	wantOK(t, ValidateIDNumber(IDTypeResident, withX))
}

func TestValidateIDNumberOtherTypes(t *testing.T) {
	cases := []struct {
		idType, number string
		ok             bool
	}{
		{IDTypePassport, "E12345678", true},
		{IDTypePassport, "ab123", true},
		{IDTypePassport, "AB12", false},
		{IDTypePassport, "A12345678901234567", false},
		{IDTypePassport, "E1234-678", false},
		{IDTypeHKMacau, "H12345678", true},
		{IDTypeHKMacau, "M1234567890", true},
		{IDTypeHKMacau, "h12345678", true},
		{IDTypeHKMacau, "X12345678", false},
		{IDTypeHKMacau, "H123456789", false},
		{IDTypeTaiwan, "12345678", true},
		{IDTypeTaiwan, "1234567890", true},
		{IDTypeTaiwan, "12345678B0", true},
		{IDTypeTaiwan, "1234567", false},
		{IDTypeTaiwan, "123456789", false},
	}
	for _, c := range cases {
		err := ValidateIDNumberAt(c.idType, c.number, testNow)
		if c.ok {
			wantOK(t, err)
		} else {
			wantInvalid(t, err, "号码应为")
		}
	}
	wantInvalid(t, ValidateIDNumberAt("军官证", "12345678", testNow), "请选择证件类型")
	wantInvalid(t, ValidateIDNumberAt(IDTypePassport, "  ", testNow), "请填写证件号码")
}

func TestIDBirthGender(t *testing.T) {
	cases := []struct {
		number, birth, gender string
		ok                    bool
	}{
		{"11010519491231002X", "1949-12-31", "女", true},
		{makeID("370102", "19950615", "123"), "1995-06-15", "男", true},
		{makeID("370102", "20000229", "008"), "2000-02-29", "女", true},
		{"11010519491231002Y", "", "", false},
		{"110105194912310021", "", "", false},
		{"E12345678", "", "", false},
	}
	for _, c := range cases {
		birth, gender, ok := IDBirthGender(c.number)
		if birth != c.birth || gender != c.gender || ok != c.ok {
			t.Errorf("IDBirthGender(%s) = %q %q %v, want %q %q %v", c.number, birth, gender, ok, c.birth, c.gender, c.ok)
		}
	}
}

func TestValidateCreditCode(t *testing.T) {
	computed := "91370000" + "MB28479" + "9A"
	computed += string(refCreditCheck(computed))
	orgBody := "D2143569"
	org := orgBody + string(refOrgCheck(orgBody))
	if org != "D2143569X" {
		t.Fatalf("published organization code example: got %s, want D2143569X", org)
	}
	public := "12100000400000624"
	public += string(refCreditCheck(public))
	valid := []string{"91350100M000100Y43", computed, public, org, orgBody + "-X"}
	for _, c := range valid {
		wantOK(t, ValidateCreditCode(c))
	}
	wrongCheck := func(s string) string {
		last := s[len(s)-1]
		for _, r := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
			if byte(r) != last {
				return s[:len(s)-1] + string(r)
			}
		}
		return s
	}
	invalid := []struct{ code, msg string }{
		{"", "请填写统一社会信用代码或组织机构代码"},
		{"91350100M000100Y4", "当前为17位"},
		{"91350100M000100Y431", "当前为19位"},
		{"D2143569-", "只能是数字或X"},
		{"91350100I000100Y43", "第9位“I”不合法"},
		{"91350100m000100Y43", "第9位“m”不合法"},
		{"9135010中M000100Y43", "第8位“中”不合法"},
		{"91350100M000100Y4\x00", "第18位“U+0000”不合法"},
		{wrongCheck("91350100M000100Y43"), "统一社会信用代码校验位（第18位）错误"},
		{wrongCheck(computed), "统一社会信用代码校验位（第18位）错误"},
		{"D21435690", "组织机构代码校验位（最后一位）错误"},
		{"D2143569-0", "组织机构代码校验位（最后一位）错误"},
		{"D2143569Y", "只能是数字或X"},
		{"d2143569X", "组织机构代码第1位“d”不合法"},
		{"D2143569_X", "当前为10位"},
	}
	for _, c := range invalid {
		t.Run(c.code, func(t *testing.T) { wantInvalid(t, ValidateCreditCode(c.code), c.msg) })
	}
}

func TestContactValidators(t *testing.T) {
	cases := []struct {
		name  string
		check func(string) error
		in    string
		msg   string // "" means valid
	}{
		{"phone", ValidatePhone, "13800138000", ""},
		{"phone", ValidatePhone, "19912345678", ""},
		{"phone", ValidatePhone, "", "请填写手机号码"},
		{"phone", ValidatePhone, "12800138000", "11位中国大陆手机号码"},
		{"phone", ValidatePhone, "1380013800", "11位中国大陆手机号码"},
		{"phone", ValidatePhone, "+8613800138000", "11位中国大陆手机号码"},
		{"email", ValidateEmail, "123@qq.com", ""},
		{"email", ValidateEmail, "li.pei+zp@mail.sdu.edu.cn", ""},
		{"email", ValidateEmail, "", "请填写邮箱"},
		{"email", ValidateEmail, "li@localhost", "邮箱格式不正确"},
		{"email", ValidateEmail, "li..pei@qq.com", "邮箱格式不正确"},
		{"email", ValidateEmail, "li pei@qq.com", "邮箱格式不正确"},
		{"email", ValidateEmail, "li@-qq.com", "邮箱格式不正确"},
		{"email", ValidateEmail, strings.Repeat("a", 250) + "@q.cn", "邮箱格式不正确"},
		{"qq", ValidateQQ, "12345", ""},
		{"qq", ValidateQQ, "12345678901", ""},
		{"qq", ValidateQQ, "1234", "5至11位数字"},
		{"qq", ValidateQQ, "123456789012", "5至11位数字"},
		{"qq", ValidateQQ, "012345", "不能以0开头"},
		{"qq", ValidateQQ, "12a45", "5至11位数字"},
	}
	for _, c := range cases {
		err := c.check(c.in)
		if c.msg == "" {
			wantOK(t, err)
		} else {
			wantInvalid(t, err, c.msg)
		}
	}
}

func TestParseDate(t *testing.T) {
	d, err := ParseDate("2024-02-29")
	wantOK(t, err)
	if want := time.Date(2024, 2, 29, 0, 0, 0, 0, Shanghai); !d.Equal(want) {
		t.Fatalf("ParseDate = %v, want %v", d, want)
	}
	for _, s := range []string{"2023-02-29", "2024-2-1", "2024/02/01", ""} {
		_, err := ParseDate(s)
		wantInvalid(t, err, "格式不正确")
	}
}

func TestNormalizeCode(t *testing.T) {
	cases := map[string]string{" 11010519491231002x\t": "11010519491231002X", "91350100m000100y43": "91350100M000100Y43", "": ""}
	for in, want := range cases {
		if got := NormalizeCode(in); got != want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func validBasic() Basic {
	return Basic{
		Name: "张三", IDType: IDTypeResident, IDNumber: "11010519491231002X",
		Gender: "女", BirthDate: "1949-12-31", Ethnicity: "汉族", Political: "群众",
		Phone: "13800138000", Email: "a@example.com", QQ: "123321",
		PersonnelType: PersonnelSocial, PhotoID: "photo-1",
	}
}

func TestBasicValidate(t *testing.T) {
	wantOK(t, validBasic().Validate(testNow))
	passport := validBasic()
	passport.IDType, passport.IDNumber, passport.Gender, passport.QQ = IDTypePassport, "E12345678", "男", ""
	wantOK(t, passport.Validate(testNow))

	cases := []struct {
		name       string
		mutate     func(*Basic)
		field, msg string
	}{
		{"no name", func(b *Basic) { b.Name = " " }, "name", "请填写姓名"},
		{"long name", func(b *Basic) { b.Name = strings.Repeat("张", 101) }, "name", "不能超过100个字"},
		{"bad id type", func(b *Basic) { b.IDType = "军官证" }, "id_type", "证件类型“军官证”不在可选范围内"},
		{"bad check digit", func(b *Basic) { b.IDNumber = "110105194912310021" }, "id_number", "身份证号码校验位错误"},
		{"gender mismatch", func(b *Basic) { b.Gender = "男" }, "gender", "性别与身份证号码不一致"},
		{"birth mismatch", func(b *Basic) { b.BirthDate = "1949-12-30" }, "birth_date", "出生日期与身份证号码不一致"},
		{"no gender", func(b *Basic) { b.Gender = "" }, "gender", "请选择性别"},
		{"bad birth", func(b *Basic) { b.BirthDate = "1949-13-01" }, "birth_date", "出生日期格式不正确"},
		{"future birth", func(b *Basic) {
			b.IDType, b.IDNumber, b.BirthDate = IDTypePassport, "E12345678", "2024-07-06"
		}, "birth_date", "出生日期不能晚于今天"},
		{"ethnicity", func(b *Basic) { b.Ethnicity = "汉" }, "ethnicity", "民族“汉”不在可选范围内"},
		{"political", func(b *Basic) { b.Political = "" }, "political", "请选择政治面貌"},
		{"phone", func(b *Basic) { b.Phone = "" }, "phone", "请填写手机号码"},
		{"bad phone", func(b *Basic) { b.Phone = "23800138000" }, "phone", "11位中国大陆手机号码"},
		{"email", func(b *Basic) { b.Email = "nope" }, "email", "邮箱格式不正确"},
		{"qq", func(b *Basic) { b.QQ = "0123" }, "qq", "QQ号"},
		{"personnel", func(b *Basic) { b.PersonnelType = "合同制" }, "personnel_type", "人员类型“合同制”不在可选范围内"},
		{"photo", func(b *Basic) { b.PhotoID = "" }, "photo_id", "请上传证件照片"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := validBasic()
			c.mutate(&b)
			wantField(t, b.Validate(testNow), c.field, c.msg)
		})
	}
}

func validWork() Work {
	return Work{
		HasEmployer: true, WorkStart: "2019-07-01", WorkYears: 5,
		EmployerName: "山东大学齐鲁医院", EmployerCode: "91350100M000100Y43",
		HospitalLevel: "三级", HospitalGrade: "甲等", InstitutionCategory: "医院", Affiliation: "省属",
	}
}

func TestWorkValidate(t *testing.T) {
	wantOK(t, validWork().Validate(testNow))
	for _, years := range []int{4, 6} { // within a year of the 5 computed
		w := validWork()
		w.WorkYears = years
		wantOK(t, w.Validate(testNow))
	}
	org := validWork()
	org.EmployerCode = "D2143569-X"
	wantOK(t, org.Validate(testNow))
	wantOK(t, Work{Military: true, OrderDirected: true}.Validate(testNow))

	cases := []struct {
		name       string
		mutate     func(*Work)
		field, msg string
	}{
		{"no start", func(w *Work) { w.WorkStart = "" }, "work_start", "请选择参加工作时间"},
		{"future start", func(w *Work) { w.WorkStart = "2024-07-06" }, "work_start", "参加工作时间不能晚于今天"},
		{"years too few", func(w *Work) { w.WorkYears = 3 }, "work_years", "应为5年左右"},
		{"anniversary not reached", func(w *Work) { w.WorkStart, w.WorkYears = "2019-07-06", 6 }, "work_years", "应为4年左右"},
		{"before 1900", func(w *Work) { w.WorkStart = "1899-12-31" }, "work_start", "参加工作时间不能早于1900年"},
		{"years too many", func(w *Work) { w.WorkYears = 7 }, "work_years", "应为5年左右"},
		{"years negative", func(w *Work) { w.WorkYears = -1 }, "work_years", "应在0至60年之间"},
		{"years over 60", func(w *Work) { w.WorkYears = 61 }, "work_years", "应在0至60年之间"},
		{"no name", func(w *Work) { w.EmployerName = "" }, "employer_name", "请填写工作单位名称"},
		{"no code", func(w *Work) { w.EmployerCode = "" }, "employer_code", "请填写工作单位统一社会信用代码/组织机构代码"},
		{"bad code", func(w *Work) { w.EmployerCode = "91350100M000100Y44" }, "employer_code", "校验位"},
		{"level", func(w *Work) { w.HospitalLevel = "" }, "hospital_level", "请选择工作单位医院级别"},
		{"grade", func(w *Work) { w.HospitalGrade = "特等" }, "hospital_grade", "不在可选范围内"},
		{"category", func(w *Work) { w.InstitutionCategory = "" }, "institution_category", "请选择工作单位医疗卫生机构类别"},
		{"affiliation", func(w *Work) { w.Affiliation = "" }, "affiliation", "请选择工作单位医疗卫生机构隶属关系"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := validWork()
			c.mutate(&w)
			wantField(t, w.Validate(testNow), c.field, c.msg)
		})
	}

	// Without an employer every employer field must be empty.
	leftovers := []struct {
		field  string
		mutate func(*Work)
	}{
		{"work_start", func(w *Work) { w.WorkStart = "2019-07-01" }},
		{"work_years", func(w *Work) { w.WorkYears = 2 }},
		{"employer_name", func(w *Work) { w.EmployerName = "某医院" }},
		{"employer_code", func(w *Work) { w.EmployerCode = "D2143569X" }},
		{"hospital_level", func(w *Work) { w.HospitalLevel = "三级" }},
		{"hospital_grade", func(w *Work) { w.HospitalGrade = "甲等" }},
		{"institution_category", func(w *Work) { w.InstitutionCategory = "医院" }},
		{"affiliation", func(w *Work) { w.Affiliation = "省属" }},
	}
	for _, c := range leftovers {
		w := Work{}
		c.mutate(&w)
		wantField(t, w.Validate(testNow), c.field, "无工作单位")
	}
}

func validEducation() Education {
	return Education{
		Level: EduBachelor, FullTime: true, School: "山东大学", Major: "临床医学",
		Qualification: "大学本科", QualificationDate: "2019-06-30", GraduationDate: "2019-06-30",
		HasDiploma: true, DiplomaNo: "104221201905001234",
		Degree: "学士", HasDegreeCert: true, DegreeDate: "2019-06-30", DegreeCertNo: "1042242019001234",
		StartDate: "2014-09-01",
	}
}

func inSchoolMaster() Education {
	return Education{
		Level: EduMaster, InSchool: true, FullTime: true, School: "山东大学", Major: "内科学",
		Qualification: "硕士研究生", GraduationDate: "2025-06-30", Degree: "硕士", StartDate: "2022-09-01",
	}
}

func TestEducationValidate(t *testing.T) {
	wantOK(t, validEducation().Validate(testNow))
	wantOK(t, inSchoolMaster().Validate(testNow))
	noCerts := validEducation()
	noCerts.HasDiploma, noCerts.DiplomaNo, noCerts.QualificationDate = false, "", ""
	noCerts.HasDegreeCert, noCerts.Degree, noCerts.DegreeDate, noCerts.DegreeCertNo = false, DegreeNone, "", ""
	wantOK(t, noCerts.Validate(testNow))

	cases := []struct {
		name       string
		base       func() Education
		mutate     func(*Education)
		field, msg string
	}{
		{"level", validEducation, func(e *Education) { e.Level = "高中" }, "level", "不在可选范围内"},
		{"school", validEducation, func(e *Education) { e.School = "" }, "school", "请填写在读/毕业院校"},
		{"major", validEducation, func(e *Education) { e.Major = "" }, "major", "请填写在读/毕业专业"},
		{"qualification", validEducation, func(e *Education) { e.Qualification = "" }, "qualification", "请选择学历"},
		{"start", validEducation, func(e *Education) { e.StartDate = "" }, "start_date", "请选择入学时间"},
		{"graduation missing", validEducation, func(e *Education) { e.GraduationDate = "" }, "graduation_date", "请选择毕业时间"},
		{"graduation future", validEducation, func(e *Education) { e.GraduationDate = "2025-06-30" }, "graduation_date", "毕业时间不能晚于今天"},
		{"graduation before start", validEducation, func(e *Education) { e.GraduationDate = "2014-06-30" }, "graduation_date", "毕业时间不能早于入学时间"},
		{"in school no graduation", inSchoolMaster, func(e *Education) { e.GraduationDate = "" }, "graduation_date", "在读的请填写预计毕业时间"},
		{"in school with diploma", inSchoolMaster, func(e *Education) { e.HasDiploma = true }, "has_diploma", "在读的不能选择已获得毕业证书"},
		{"in school with degree", inSchoolMaster, func(e *Education) { e.HasDegreeCert = true }, "has_degree_cert", "在读的不能选择已获得学位证书"},
		{"diploma no", validEducation, func(e *Education) { e.DiplomaNo = "" }, "diploma_no", "请填写学历证书编号"},
		{"qualification date", validEducation, func(e *Education) { e.QualificationDate = "" }, "qualification_date", "请选择取得学历时间"},
		{"qualification date early", validEducation, func(e *Education) { e.QualificationDate = "2014-08-31" }, "qualification_date", "取得学历时间不能早于入学时间"},
		{"diploma no without diploma", validEducation, func(e *Education) { e.HasDiploma = false }, "diploma_no", "未获得毕业证书时不应填写学历证书编号"},
		{"degree", validEducation, func(e *Education) { e.Degree = "" }, "degree", "请选择学位"},
		{"degree none with cert", validEducation, func(e *Education) { e.Degree = DegreeNone }, "degree", "请选择所获学位"},
		{"degree cert no", validEducation, func(e *Education) { e.DegreeCertNo = "" }, "degree_cert_no", "请填写学位证书编号"},
		{"degree date", validEducation, func(e *Education) { e.DegreeDate = "2019-6-30" }, "degree_date", "取得学位时间格式不正确"},
		{"degree date early", validEducation, func(e *Education) { e.DegreeDate = "2010-06-30" }, "degree_date", "取得学位时间不能早于入学时间"},
		{"degree date without cert", validEducation, func(e *Education) { e.HasDegreeCert = false }, "degree_date", "未获得学位证书时不应填写取得学位时间"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := c.base()
			c.mutate(&e)
			wantField(t, e.Validate(testNow), c.field, c.msg)
		})
	}
}

func TestValidateEducation(t *testing.T) {
	wantOK(t, ValidateEducation([]Education{validEducation(), inSchoolMaster()}, testNow))
	wantField(t, ValidateEducation(nil, testNow), "education", "请至少填写一条教育经历")
	wantField(t, ValidateEducation([]Education{validEducation(), validEducation()}, testNow),
		"education[1].level", "本科教育经历只能填写一条")
	bad := inSchoolMaster()
	bad.School = ""
	err := ValidateEducation([]Education{validEducation(), bad}, testNow)
	wantField(t, err, "education[1].school", "请填写在读/毕业院校")
	var e *Error
	if errors.As(err, &e) && len(e.Fields) != 1 {
		t.Fatalf("a valid first record must add no messages, got %v", e.Fields)
	}
}

func TestHighestEducation(t *testing.T) {
	if _, ok := HighestEducation(nil); ok {
		t.Fatal("no records must give ok=false")
	}
	if _, ok := HighestEducation([]Education{{Level: "高中"}}); ok {
		t.Fatal("unknown levels must be ignored")
	}
	doctor := Education{Level: EduDoctor, School: "北京大学"}
	got, ok := HighestEducation([]Education{validEducation(), doctor, inSchoolMaster(), {Level: EduJunior}})
	if !ok || got.Level != EduDoctor || got.School != "北京大学" {
		t.Fatalf("HighestEducation = %+v, %v; want the 博士 record", got, ok)
	}
	got, _ = HighestEducation([]Education{{Level: EduSecondary}, validEducation()})
	if got.Level != EduBachelor {
		t.Fatalf("HighestEducation level = %s, want 本科", got.Level)
	}
	// A master's still 在读 is not the highest degree yet.
	if got, _ = HighestEducation([]Education{inSchoolMaster(), validEducation()}); got.Level != EduBachelor {
		t.Fatalf("HighestEducation with a 在读 master = %s, want 本科", got.Level)
	}
	if _, ok := HighestEducation([]Education{inSchoolMaster()}); ok {
		t.Fatal("only a 在读 record must give ok=false")
	}
}

// TestEducationLevelMatchesQualification: 教育层次 and 学历 name the same
// level; a contradiction is refused on the 学历 field.
func TestEducationLevelMatchesQualification(t *testing.T) {
	e := validEducation()
	e.Qualification = "硕士研究生"
	wantField(t, e.Validate(testNow), "qualification", "教育层次为本科的，学历应为大学本科")
	for i, level := range EducationLevels {
		e := inSchoolMaster()
		e.Level, e.Qualification = level, Qualifications[i]
		wantOK(t, e.Validate(testNow))
	}
}

func validCertificates() Certificates {
	return Certificates{
		PassedExam: true, ExamDate: "2020-08-20",
		HasQualCert: true, QualLevel: "执业医师", QualCategory: "临床", QualCertNo: "202037110370102199506151234", QualCertDate: "2020-12-01",
		QualScanID:    "scan-1",
		HasPractising: true, PractisingNo: "110370000123456", PractisingDate: "2021-03-01",
		ForeignLangType: LangCollegeEng, EnglishLevel: "CET-6", ForeignLangCertNo: "161137021001234", ForeignLangCertDate: "2016-12-20",
	}
}

func TestCertificatesValidate(t *testing.T) {
	wantOK(t, validCertificates().Validate(testNow))
	wantOK(t, Certificates{ForeignLangType: LangNone, EnglishLevel: EnglishNotPassed}.Validate(testNow))
	wantOK(t, Certificates{ForeignLangType: LangNone}.Validate(testNow))
	wantOK(t, Certificates{ForeignLangType: LangCollegeEng, EnglishLevel: EnglishNotPassed}.Validate(testNow))
	wantOK(t, Certificates{ForeignLangType: LangEnglishMajor, EnglishLevel: "专业八级", ForeignLangCertNo: "1", ForeignLangCertDate: "2015-05-01"}.Validate(testNow))
	wantOK(t, Certificates{ForeignLangType: LangOther, ForeignLangLevel: "日语N1", ForeignLangCertNo: "1", ForeignLangCertDate: "2015-05-01", EnglishLevel: "CET-4"}.Validate(testNow))

	cases := []struct {
		name       string
		mutate     func(*Certificates)
		field, msg string
	}{
		{"exam date", func(c *Certificates) { c.ExamDate = "" }, "exam_date", "请选择通过医师资格考试时间"},
		{"qualification scan", func(c *Certificates) { c.QualScanID = "" }, "qual_scan_id", "已获得医师资格证书的，请上传医师资格证书扫描件"},
		{"exam date without exam", func(c *Certificates) {
			c.PassedExam, c.HasQualCert, c.HasPractising = false, false, false
			c.QualLevel, c.QualCategory, c.QualCertNo, c.QualCertDate, c.PractisingNo, c.PractisingDate = "", "", "", "", "", ""
		}, "exam_date", "未通过医师资格考试时不应填写通过医师资格考试时间"},
		{"cert without exam", func(c *Certificates) { c.PassedExam, c.ExamDate = false, "" }, "has_qual_cert", "须先通过医师资格考试"},
		{"qual level", func(c *Certificates) { c.QualLevel = "" }, "qual_level", "请选择医师资格级别"},
		{"qual category", func(c *Certificates) { c.QualCategory = "内科" }, "qual_category", "医师资格类别“内科”不在可选范围内"},
		{"qual cert no", func(c *Certificates) { c.QualCertNo = "" }, "qual_cert_no", "请填写医师资格证书编号"},
		{"qual cert date", func(c *Certificates) { c.QualCertDate = "" }, "qual_cert_date", "请选择取得医师资格证书时间"},
		{"qual before exam", func(c *Certificates) { c.QualCertDate = "2020-08-01" }, "qual_cert_date", "不能早于通过医师资格考试时间"},
		{"qual fields without cert", func(c *Certificates) {
			c.HasQualCert, c.HasPractising, c.PractisingNo, c.PractisingDate = false, false, "", ""
		}, "qual_level", "未获得医师资格证书时不应填写医师资格级别"},
		{"practising without qual", func(c *Certificates) {
			c.HasQualCert, c.QualLevel, c.QualCategory, c.QualCertNo, c.QualCertDate = false, "", "", "", ""
		}, "has_practising", "须先获得医师资格证书"},
		{"practising no", func(c *Certificates) { c.PractisingNo = "" }, "practising_no", "请填写执业医师证书编号"},
		{"practising date", func(c *Certificates) { c.PractisingDate = "2030-01-01" }, "practising_date", "不能晚于今天"},
		{"practising before qual", func(c *Certificates) { c.PractisingDate = "2020-11-30" }, "practising_date", "不能早于取得医师资格证书时间"},
		{"practising fields without", func(c *Certificates) { c.HasPractising = false }, "practising_no", "未取得执业医师证书时不应填写执业医师证书编号"},
		{"lang type", func(c *Certificates) { c.ForeignLangType = "" }, "foreign_lang_type", "请选择外语等级考试类型"},
		{"english level", func(c *Certificates) { c.EnglishLevel = "" }, "english_level", "请选择英语等级"},
		{"english level of wrong exam", func(c *Certificates) { c.EnglishLevel = "专业八级" }, "english_level", "大学英语等级考试的英语等级只能是CET-4、CET-6或未通过"},
		{"english cert no", func(c *Certificates) { c.ForeignLangCertNo = "" }, "foreign_lang_cert_no", "请填写外语等级考试证书编号"},
		{"english cert date", func(c *Certificates) { c.ForeignLangCertDate = "" }, "foreign_lang_cert_date", "请选择外语等级考试证书取得时间"},
		{"non-english level with english", func(c *Certificates) { c.ForeignLangLevel = "N1" }, "foreign_lang_level", "外语等级考试类型为大学英语时不应填写外语等级(非英语)"},
		{"english not passed with cert", func(c *Certificates) { c.EnglishLevel = EnglishNotPassed }, "foreign_lang_cert_no", "英语等级为未通过时不应填写"},
		{"none with cert", func(c *Certificates) { c.ForeignLangType, c.EnglishLevel = LangNone, "" }, "foreign_lang_cert_no", "未参加外语等级考试时不应填写"},
		{"none with english level", func(c *Certificates) {
			c.ForeignLangType, c.ForeignLangCertNo, c.ForeignLangCertDate = LangNone, "", ""
		}, "english_level", "英语等级应为“未通过”"},
		{"other needs level", func(c *Certificates) { c.ForeignLangType, c.EnglishLevel = LangOther, "" }, "foreign_lang_level", "请填写外语等级(非英语)"},
		{"other bad english", func(c *Certificates) {
			c.ForeignLangType, c.ForeignLangLevel, c.EnglishLevel = LangOther, "N1", "CET-8"
		}, "english_level", "不在可选范围内"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct := validCertificates()
			c.mutate(&ct)
			wantField(t, ct.Validate(testNow), c.field, c.msg)
		})
	}
}

func TestCheckPersonnelConsistency(t *testing.T) {
	employed, unemployed := validWork(), Work{}
	cases := []struct {
		personnel string
		work      Work
		msg       string // "" means consistent
	}{
		{PersonnelSocial, unemployed, ""},
		{PersonnelSocial, employed, "社会化"},
		{PersonnelOwnUnit, employed, ""},
		{PersonnelOwnUnit, unemployed, "本单位培训的，须在工作信息中填写工作单位"},
		{PersonnelSent, employed, ""},
		{PersonnelSent, unemployed, "外单位送培的，须在工作信息中填写工作单位"},
		{PersonnelGraduate, employed, ""},
		{PersonnelGraduate, unemployed, ""},
	}
	for _, c := range cases {
		err := CheckPersonnelConsistency(Basic{PersonnelType: c.personnel}, c.work)
		if c.msg == "" {
			wantOK(t, err)
		} else {
			wantField(t, err, "personnel_type", c.msg)
		}
	}
}

func TestCheckOwnUnit(t *testing.T) {
	w := validWork()
	own, sent, social := Basic{PersonnelType: PersonnelOwnUnit}, Basic{PersonnelType: PersonnelSent}, Basic{PersonnelType: PersonnelSocial}
	wantOK(t, CheckOwnUnit(own, w, " 山东大学齐鲁医院　"))
	wantField(t, CheckOwnUnit(own, w, "山东省立医院"), "personnel_type", "报考培训基地须与工作单位一致")
	wantOK(t, CheckOwnUnit(sent, w, "山东省立医院"))
	wantField(t, CheckOwnUnit(sent, w, "山东大学齐鲁医院"), "personnel_type", "不能是本人工作单位")
	wantField(t, CheckOwnUnit(own, Work{}, "山东大学齐鲁医院"), "personnel_type", "须在工作信息中填写工作单位")
	wantOK(t, CheckOwnUnit(social, Work{}, "山东大学齐鲁医院"))
}

func TestProfileComplete(t *testing.T) {
	b, w, c := validBasic(), validWork(), validCertificates()
	full := Profile{Basic: &b, Work: &w, Education: []Education{validEducation()}, Certificates: &c}
	if !full.Complete() {
		t.Fatal("a profile with four sections must be complete")
	}
	partial := full
	partial.Education = nil
	if partial.Complete() {
		t.Fatal("a profile without education must not be complete")
	}
}

func TestOptions(t *testing.T) {
	lists := []struct {
		name  string
		list  []string
		n     int
		first string
		last  string
	}{
		{"ethnicities", Ethnicities, 56, "汉族", "基诺族"},
		{"political", PoliticalStatuses, 13, "中共党员", "群众"},
		{"personnel", OptionValues(PersonnelTypes), 4, PersonnelOwnUnit, PersonnelGraduate},
		{"genders", Genders, 2, "男", "女"},
		{"degrees", Degrees, 4, "学士", DegreeNone},
	}
	for _, l := range lists {
		if len(l.list) != l.n || l.list[0] != l.first || l.list[len(l.list)-1] != l.last {
			t.Errorf("%s: %d items from %s to %s, want %d from %s to %s", l.name, len(l.list), l.list[0], l.list[len(l.list)-1], l.n, l.first, l.last)
		}
		seen := map[string]bool{}
		for _, v := range l.list {
			if seen[v] {
				t.Errorf("%s: duplicate %s", l.name, v)
			}
			seen[v] = true
		}
	}
	for _, o := range PersonnelTypes {
		if o.Hint == "" {
			t.Errorf("personnel type %s has no hint", o.Value)
		}
	}
	for typ, levels := range englishLevelsByType {
		if !OneOf(ForeignLangTypes, typ) {
			t.Errorf("englishLevelsByType key %s is not a foreign-language type", typ)
		}
		for _, l := range levels {
			if !OneOf(EnglishLevels, l) {
				t.Errorf("English level %s of %s is not in EnglishLevels", l, typ)
			}
		}
	}
	if !OneOf(Ethnicities, "回族") || OneOf(Ethnicities, "回") || OneOf(nil, "") {
		t.Error("OneOf must match whole values only")
	}
}

// TestCheckCharactersAllResidues builds numbers covering every check
// character and checks that exactly the right one is accepted.
func TestCheckCharactersAllResidues(t *testing.T) {
	seenID := map[byte]bool{}
	for seq := 0; seq < 100; seq++ {
		id := makeID("370102", "19950615", fmt.Sprintf("%03d", seq))
		seenID[id[17]] = true
		for _, c := range "0123456789X" {
			err := ValidateIDNumberAt(IDTypeResident, id[:17]+string(c), testNow)
			if (byte(c) == id[17]) != (err == nil) {
				t.Fatalf("%s with check %c: got %v", id[:17], c, err)
			}
		}
	}
	if len(seenID) != 11 {
		t.Fatalf("covered %d of 11 ID check characters", len(seenID))
	}

	const cs = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	seenCredit := map[byte]bool{}
	for _, a := range cs {
		body := "9137010" + string(a) + "MA3C4XY2" + "1"
		want := refCreditCheck(body)
		seenCredit[want] = true
		for _, c := range cs {
			err := ValidateCreditCode(body + string(c))
			if (byte(c) == want) != (err == nil) {
				t.Fatalf("%s with check %c: got %v", body, c, err)
			}
		}
	}
	if len(seenCredit) != 31 {
		t.Fatalf("covered %d of 31 credit-code check characters", len(seenCredit))
	}

	seenOrg := map[byte]bool{}
	for _, a := range "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
		body := "D21435" + string(a) + "9"
		want := refOrgCheck(body)
		seenOrg[want] = true
		for _, c := range "0123456789X" {
			err := ValidateCreditCode(body + string(c))
			if (byte(c) == want) != (err == nil) {
				t.Fatalf("%s with check %c: got %v", body, c, err)
			}
		}
	}
	if len(seenOrg) != 11 {
		t.Fatalf("covered %d of 11 organization-code check characters", len(seenOrg))
	}
}
