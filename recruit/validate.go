package recruit

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// invalid returns an EINVALID error with msg, or nil when msg is empty.
func invalid(msg string) error {
	if msg == "" {
		return nil
	}
	return &Error{Code: EINVALID, Message: msg}
}

// NormalizeCode trims surrounding spaces and upper-cases an ID number or an
// employer code, the form stored and indexed. Validators do not normalize.
func NormalizeCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// printable shows r in a message, or its code point when it is invisible.
func printable(r rune) string {
	if unicode.IsPrint(r) {
		return string(r)
	}
	return fmt.Sprintf("%U", r)
}

// ---- ID numbers ----

// GB 11643: weights 2^(17-i) mod 11 and the check characters by sum mod 11.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// idProvinces are the two-digit province codes (GB/T 2260) that start a
// resident ID number; 81–83 are the residence permits of Hong Kong, Macao
// and Taiwan residents.
var idProvinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

// earliestDate is the earliest civil date the forms accept.
var earliestDate = time.Date(1900, 1, 1, 0, 0, 0, 0, Shanghai)

// parseResident checks a 居民身份证 number without regard to today and returns
// the birth date and whether the holder is male, or a Chinese problem.
func parseResident(number string) (birth time.Time, male bool, problem string) {
	if n := utf8.RuneCountInString(number); n != 18 {
		return time.Time{}, false, fmt.Sprintf("居民身份证号码应为18位，当前为%d位", n)
	}
	r := []rune(number)
	for i, c := range r[:17] {
		if c < '0' || c > '9' {
			return time.Time{}, false, fmt.Sprintf("居民身份证号码第%d位应为数字", i+1)
		}
	}
	last := unicode.ToUpper(r[17])
	if (last < '0' || last > '9') && last != 'X' {
		return time.Time{}, false, "居民身份证号码最后一位应为数字或X"
	}
	// Every rune is ASCII from here on.
	if !idProvinces[number[:2]] {
		return time.Time{}, false, "居民身份证号码前两位地区码无效"
	}
	birth, err := time.ParseInLocation("20060102", number[6:14], Shanghai)
	if err != nil || birth.Before(earliestDate) {
		return time.Time{}, false, "居民身份证号码中的出生日期无效"
	}
	sum := 0
	for i, w := range idWeights {
		sum += int(number[i]-'0') * w
	}
	if byte(last) != idCheckChars[sum%11] {
		return time.Time{}, false, "身份证号码校验位错误，请核对号码"
	}
	return birth, (number[16]-'0')%2 == 1, ""
}

// maxCodeLen bounds what the short-code patterns look at, so that a huge
// input is refused without scanning it.
const maxCodeLen = 32

// matchShort reports whether s is short and matches re.
func matchShort(re *regexp.Regexp, s string) bool { return len(s) <= maxCodeLen && re.MatchString(s) }

var (
	passportRe = regexp.MustCompile(`^[A-Za-z0-9]{5,17}$`)
	hkMacauRe  = regexp.MustCompile(`^[HMhm](\d{8}|\d{10})$`)
	taiwanRe   = regexp.MustCompile(`^(\d{8}|[A-Za-z0-9]{10})$`)
)

// ValidateIDNumber checks an ID number of the given type as of the current
// time; see ValidateIDNumberAt.
func ValidateIDNumber(idType, number string) error {
	return ValidateIDNumberAt(idType, number, time.Now())
}

// ValidateIDNumberAt checks an ID number of the given type. A 居民身份证 must
// have 18 characters, a known province code, a birth date between 1900 and
// the day of now, and the GB 11643 check character (X in either case). The
// other types are checked by format only.
func ValidateIDNumberAt(idType, number string, now time.Time) error {
	if strings.TrimSpace(number) == "" {
		return invalid("请填写证件号码")
	}
	switch idType {
	case IDTypeResident:
		birth, _, p := parseResident(number)
		if p == "" && birth.After(civilDay(now)) {
			p = "居民身份证号码中的出生日期晚于今天"
		}
		return invalid(p)
	case IDTypePassport:
		if !matchShort(passportRe, number) {
			return invalid("护照号码应为5至17位字母或数字")
		}
	case IDTypeHKMacau:
		if !matchShort(hkMacauRe, number) {
			return invalid("港澳居民来往内地通行证号码应为H或M开头加8位或10位数字")
		}
	case IDTypeTaiwan:
		if !matchShort(taiwanRe, number) {
			return invalid("台湾居民来往大陆通行证号码应为8位数字或10位字母、数字")
		}
	default:
		return invalid("请选择证件类型（居民身份证、护照、港澳居民来往内地通行证或台湾居民来往大陆通行证）")
	}
	return nil
}

// IDBirthGender returns the birth date ("2006-01-02") and gender (男/女)
// encoded in a valid 居民身份证 number; ok is false for an invalid number.
func IDBirthGender(number string) (birth, gender string, ok bool) {
	b, male, p := parseResident(number)
	if p != "" {
		return "", "", false
	}
	gender = "女"
	if male {
		gender = "男"
	}
	return b.Format(DateLayout), gender, true
}

// ---- employer codes ----

// GB 32100: the 31 characters of a unified social credit code in value
// order and the weights 3^i mod 31 of its first 17 characters.
const creditCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// GB 11714: the weights of the eight body characters of an organization code.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// ValidateCreditCode checks an employer code: an 18-character unified social
// credit code (GB 32100) or a 9-character organization code (GB 11714),
// optionally written XXXXXXXX-X.
func ValidateCreditCode(code string) error { return invalid(creditCodeProblem(code)) }

func creditCodeProblem(code string) string {
	n := utf8.RuneCountInString(code)
	switch {
	case n == 0:
		return "请填写统一社会信用代码或组织机构代码"
	case n == 18:
		return unifiedCodeProblem([]rune(code))
	case n == 9:
		return orgCodeProblem([]rune(code))
	case n == 10:
		if r := []rune(code); r[8] == '-' {
			return orgCodeProblem(append(r[:8:8], r[9]))
		}
	}
	return fmt.Sprintf("统一社会信用代码应为18位，组织机构代码应为9位（可写作XXXXXXXX-X），当前为%d位", n)
}

func unifiedCodeProblem(r []rune) string {
	sum := 0
	for i, c := range r {
		v := strings.IndexRune(creditCharset, c)
		if v < 0 {
			return fmt.Sprintf("统一社会信用代码第%d位“%s”不合法：只能是数字或大写字母（不含I、O、S、V、Z）", i+1, printable(c))
		}
		if i < 17 {
			sum += v * creditWeights[i]
		}
	}
	if r[17] != rune(creditCharset[(31-sum%31)%31]) {
		return "统一社会信用代码校验位（第18位）错误，请核对"
	}
	return ""
}

func orgCodeProblem(r []rune) string {
	sum := 0
	for i, c := range r[:8] {
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return fmt.Sprintf("组织机构代码第%d位“%s”不合法：只能是数字或大写字母", i+1, printable(c))
		}
		sum += v * orgWeights[i]
	}
	var want rune
	switch c := 11 - sum%11; c {
	case 10:
		want = 'X'
	case 11:
		want = '0'
	default:
		want = rune('0' + c)
	}
	if r[8] != want {
		if (r[8] < '0' || r[8] > '9') && r[8] != 'X' {
			return "组织机构代码校验位（最后一位）只能是数字或X"
		}
		return "组织机构代码校验位（最后一位）错误，请核对"
	}
	return ""
}

// ---- contact details and dates ----

var (
	phoneRe = regexp.MustCompile(`^1[3-9]\d{9}$`)
	qqRe    = regexp.MustCompile(`^[1-9]\d{4,10}$`)
	emailRe = regexp.MustCompile(`^[A-Za-z0-9_%+\-]+(\.[A-Za-z0-9_%+\-]+)*@[A-Za-z0-9]([A-Za-z0-9\-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9\-]*[A-Za-z0-9])?)+$`)
)

// ValidatePhone checks a mainland China mobile number (11 digits, 1[3-9]…).
func ValidatePhone(s string) error {
	if s == "" {
		return invalid("请填写手机号码")
	}
	if !matchShort(phoneRe, s) {
		return invalid("手机号码应为11位中国大陆手机号码")
	}
	return nil
}

// ValidateEmail checks an e-mail address of the usual name@domain.tld form.
func ValidateEmail(s string) error {
	if s == "" {
		return invalid("请填写邮箱")
	}
	if len(s) > 254 || !emailRe.MatchString(s) {
		return invalid("邮箱格式不正确，例如 name@example.com")
	}
	return nil
}

// ValidateQQ checks a QQ number: 5 to 11 digits, not starting with 0.
func ValidateQQ(s string) error {
	if !matchShort(qqRe, s) {
		return invalid("QQ号应为5至11位数字，且不能以0开头")
	}
	return nil
}

// ParseDate parses a civil date written "2006-01-02" as midnight Asia/Shanghai.
func ParseDate(s string) (time.Time, error) {
	t, err := time.ParseInLocation(DateLayout, s, Shanghai)
	if err != nil {
		return time.Time{}, invalid(fmt.Sprintf("日期“%s”格式不正确，应为yyyy-MM-dd，例如2006-01-02", s))
	}
	return t, nil
}

// civilDay returns midnight Asia/Shanghai of the civil date of t.
func civilDay(t time.Time) time.Time {
	y, m, d := t.In(Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Shanghai)
}

// fullYears returns the number of whole years from the date from to the civil
// date of now.
func fullYears(from, now time.Time) int {
	to := civilDay(now)
	n := to.Year() - from.Year()
	if to.Month() < from.Month() || (to.Month() == from.Month() && to.Day() < from.Day()) {
		n--
	}
	return n
}

// ---- section validators ----

// maxTextLen is the longest free-text field value, in characters.
const maxTextLen = 100

// checker collects the field errors of one form as of now; prefix is put in
// front of every field name (used for the records of a list).
type checker struct {
	f      FieldErrors
	now    time.Time
	prefix string
}

func newChecker(now time.Time) checker { return checker{f: FieldErrors{}, now: now} }

func (c checker) add(field, msg string) { c.f.Add(c.prefix+field, msg) }

// text requires a non-blank value of at most maxTextLen characters and
// reports whether it is present.
func (c checker) text(field, label, v string) bool {
	if strings.TrimSpace(v) == "" {
		c.add(field, "请填写"+label)
		return false
	}
	if utf8.RuneCountInString(v) > maxTextLen {
		c.add(field, fmt.Sprintf("%s不能超过%d个字", label, maxTextLen))
		return false
	}
	return true
}

// choice requires v to be one of list and reports whether it is.
func (c checker) choice(field, label, v string, list []string) bool {
	if v == "" {
		c.add(field, "请选择"+label)
		return false
	}
	if !OneOf(list, v) {
		c.add(field, fmt.Sprintf("%s“%s”不在可选范围内", label, v))
		return false
	}
	return true
}

// date requires a valid date from 1900 on; unless future is true it must not
// be after the day of now.
func (c checker) date(field, label, v string, future bool) (time.Time, bool) {
	if v == "" {
		c.add(field, "请选择"+label)
		return time.Time{}, false
	}
	t, err := ParseDate(v)
	switch {
	case err != nil:
		c.add(field, label+"格式不正确，应为yyyy-MM-dd，例如2006-01-02")
	case t.Before(earliestDate):
		c.add(field, label+"不能早于1900年")
	case !future && t.After(civilDay(c.now)):
		c.add(field, label+"不能晚于今天")
	default:
		return t, true
	}
	return time.Time{}, false
}

// pastDate is date with future dates refused.
func (c checker) pastDate(field, label, v string) (time.Time, bool) {
	return c.date(field, label, v, false)
}

// notBefore requires the date b (labelled bl) not to be before a (labelled
// al) when both are valid.
func (c checker) notBefore(field string, b time.Time, bOK bool, bl string, a time.Time, aOK bool, al string) {
	if aOK && bOK && b.Before(a) {
		c.add(field, bl+"不能早于"+al)
	}
}

// blank requires v to be empty because of cond, e.g. "无工作单位时不应填写…".
func (c checker) blank(field, cond, label, v string) {
	if v != "" {
		c.add(field, cond+"时不应填写"+label)
	}
}

// check adds the message of err, if any, to field.
func (c checker) check(field string, err error) {
	if err != nil {
		c.add(field, ErrorMessage(err))
	}
}

// Validate checks the 基本信息 section as of now. Gender and birth date must
// agree with a 居民身份证 number; the photo is required.
func (b Basic) Validate(now time.Time) error {
	c := newChecker(now)
	c.text("name", "姓名", b.Name)
	if c.choice("id_type", "证件类型", b.IDType, IDTypes) {
		c.check("id_number", ValidateIDNumberAt(b.IDType, b.IDNumber, now))
	}
	genderOK := c.choice("gender", "性别", b.Gender, Genders)
	birth, birthOK := c.pastDate("birth_date", "出生日期", b.BirthDate)
	if idBirth, idGender, ok := IDBirthGender(b.IDNumber); ok && b.IDType == IDTypeResident {
		if genderOK && b.Gender != idGender {
			c.add("gender", "性别与身份证号码不一致")
		}
		if birthOK && birth.Format(DateLayout) != idBirth {
			c.add("birth_date", "出生日期与身份证号码不一致")
		}
	}
	c.choice("ethnicity", "民族", b.Ethnicity, Ethnicities)
	c.choice("political", "政治面貌", b.Political, PoliticalStatuses)
	c.check("phone", ValidatePhone(b.Phone))
	c.check("email", ValidateEmail(b.Email))
	if b.QQ != "" {
		c.check("qq", ValidateQQ(b.QQ))
	}
	c.choice("personnel_type", "人员类型", b.PersonnelType, OptionValues(PersonnelTypes))
	if b.PhotoID == "" {
		c.add("photo_id", "请上传证件照片")
	}
	return c.f.Err()
}

// maxWorkYears is the largest accepted 工作年限.
const maxWorkYears = 60

// Validate checks the 工作信息 section as of now: with an employer every
// employer field is required and the work years must match the start date
// within a year; without one the employer fields must be empty.
func (w Work) Validate(now time.Time) error {
	c := newChecker(now)
	if !w.HasEmployer {
		const cond = "无工作单位"
		c.blank("work_start", cond, "参加工作时间", w.WorkStart)
		if w.WorkYears != 0 {
			c.add("work_years", "无工作单位时工作年限应为0")
		}
		c.blank("employer_name", cond, "工作单位名称", w.EmployerName)
		c.blank("employer_code", cond, "工作单位统一社会信用代码/组织机构代码", w.EmployerCode)
		c.blank("hospital_level", cond, "工作单位医院级别", w.HospitalLevel)
		c.blank("hospital_grade", cond, "工作单位医院等次", w.HospitalGrade)
		c.blank("institution_category", cond, "工作单位医疗卫生机构类别", w.InstitutionCategory)
		c.blank("affiliation", cond, "工作单位医疗卫生机构隶属关系", w.Affiliation)
		return c.f.Err()
	}
	start, ok := c.pastDate("work_start", "参加工作时间", w.WorkStart)
	switch {
	case w.WorkYears < 0 || w.WorkYears > maxWorkYears:
		c.add("work_years", fmt.Sprintf("工作年限应在0至%d年之间", maxWorkYears))
	case ok:
		if want := fullYears(start, now); w.WorkYears < want-1 || w.WorkYears > want+1 {
			c.add("work_years", fmt.Sprintf("工作年限与参加工作时间不符，按参加工作时间计算应为%d年左右", want))
		}
	}
	c.text("employer_name", "工作单位名称", w.EmployerName)
	if w.EmployerCode == "" {
		c.add("employer_code", "请填写工作单位统一社会信用代码/组织机构代码")
	} else {
		c.check("employer_code", ValidateCreditCode(w.EmployerCode))
	}
	c.choice("hospital_level", "工作单位医院级别", w.HospitalLevel, HospitalLevels)
	c.choice("hospital_grade", "工作单位医院等次", w.HospitalGrade, HospitalGrades)
	c.choice("institution_category", "工作单位医疗卫生机构类别", w.InstitutionCategory, InstitutionCategories)
	c.choice("affiliation", "工作单位医疗卫生机构隶属关系", w.Affiliation, Affiliations)
	return c.f.Err()
}

// Validate checks one 教育经历 record as of now.
func (e Education) Validate(now time.Time) error {
	c := newChecker(now)
	e.check(c)
	return c.f.Err()
}

func (e Education) check(c checker) {
	levelOK := c.choice("level", "教育层次（中专、大专、本科、研究生、博士）", e.Level, EducationLevels)
	c.text("school", "在读/毕业院校", e.School)
	c.text("major", "在读/毕业专业", e.Major)
	if c.choice("qualification", "学历", e.Qualification, Qualifications) && levelOK {
		// The levels and the qualifications are listed in the same order.
		if want := Qualifications[slices.Index(EducationLevels, e.Level)]; e.Qualification != want {
			c.add("qualification", fmt.Sprintf("教育层次为%s的，学历应为%s", e.Level, want))
		}
	}
	start, startOK := c.pastDate("start_date", "入学时间", e.StartDate)

	var grad time.Time
	var gradOK bool
	if e.InSchool {
		if e.GraduationDate == "" {
			c.add("graduation_date", "在读的请填写预计毕业时间")
		} else {
			grad, gradOK = c.date("graduation_date", "预计毕业时间", e.GraduationDate, true)
		}
		if e.HasDiploma {
			c.add("has_diploma", "在读的不能选择已获得毕业证书")
		}
		if e.HasDegreeCert {
			c.add("has_degree_cert", "在读的不能选择已获得学位证书")
		}
	} else {
		grad, gradOK = c.pastDate("graduation_date", "毕业时间", e.GraduationDate)
	}
	c.notBefore("graduation_date", grad, gradOK, "毕业时间", start, startOK, "入学时间")

	if e.HasDiploma {
		c.text("diploma_no", "学历证书编号", e.DiplomaNo)
		q, ok := c.pastDate("qualification_date", "取得学历时间", e.QualificationDate)
		c.notBefore("qualification_date", q, ok, "取得学历时间", start, startOK, "入学时间")
	} else {
		const cond = "未获得毕业证书"
		c.blank("diploma_no", cond, "学历证书编号", e.DiplomaNo)
		c.blank("qualification_date", cond, "取得学历时间", e.QualificationDate)
	}

	degreeOK := c.choice("degree", "学位", e.Degree, Degrees)
	if e.HasDegreeCert {
		if degreeOK && e.Degree == DegreeNone {
			c.add("degree", "已获得学位证书的，请选择所获学位")
		}
		c.text("degree_cert_no", "学位证书编号", e.DegreeCertNo)
		d, ok := c.pastDate("degree_date", "取得学位时间", e.DegreeDate)
		c.notBefore("degree_date", d, ok, "取得学位时间", start, startOK, "入学时间")
	} else {
		const cond = "未获得学位证书"
		c.blank("degree_cert_no", cond, "学位证书编号", e.DegreeCertNo)
		c.blank("degree_date", cond, "取得学位时间", e.DegreeDate)
	}
}

// ValidateEducation checks the 教育经历 section as of now: at least one
// record, at most one per level, each record valid. Fields are keyed
// "education[i].field".
func ValidateEducation(records []Education, now time.Time) error {
	c := newChecker(now)
	if len(records) == 0 {
		c.add("education", "请至少填写一条教育经历")
	}
	seen := map[string]bool{}
	for i, e := range records {
		rc := c
		rc.prefix = fmt.Sprintf("education[%d].", i)
		if e.Level != "" && seen[e.Level] {
			rc.add("level", fmt.Sprintf("%s教育经历只能填写一条", e.Level))
		}
		seen[e.Level] = true
		e.check(rc)
	}
	return c.f.Err()
}

// HighestEducation returns the completed record (not 在读) of the highest
// known level.
func HighestEducation(records []Education) (Education, bool) {
	best, bestRank := Education{}, -1
	for _, e := range records {
		if e.InSchool {
			continue
		}
		for rank, l := range EducationLevels {
			if l == e.Level && rank > bestRank {
				best, bestRank = e, rank
			}
		}
	}
	return best, bestRank >= 0
}

// Validate checks the 证书信息 section as of now with its conditional
// requireds: a passed exam needs its date; a qualification certificate needs
// the exam, level, category, number and date; a practising certificate needs
// the qualification certificate, number and date; a foreign-language exam
// needs its level, certificate number and date.
func (ct Certificates) Validate(now time.Time) error {
	c := newChecker(now)
	var exam, qual time.Time
	var examOK, qualOK bool
	if ct.PassedExam {
		exam, examOK = c.pastDate("exam_date", "通过医师资格考试时间", ct.ExamDate)
	} else {
		c.blank("exam_date", "未通过医师资格考试", "通过医师资格考试时间", ct.ExamDate)
	}

	if ct.HasQualCert {
		if !ct.PassedExam {
			c.add("has_qual_cert", "获得医师资格证书须先通过医师资格考试")
		}
		c.choice("qual_level", "医师资格级别", ct.QualLevel, QualLevels)
		c.choice("qual_category", "医师资格类别", ct.QualCategory, QualCategories)
		c.text("qual_cert_no", "医师资格证书编号", ct.QualCertNo)
		qual, qualOK = c.pastDate("qual_cert_date", "取得医师资格证书时间", ct.QualCertDate)
		c.notBefore("qual_cert_date", qual, qualOK, "取得医师资格证书时间", exam, examOK, "通过医师资格考试时间")
		if ct.QualScanID == "" {
			c.add("qual_scan_id", "已获得医师资格证书的，请上传医师资格证书扫描件")
		}
	} else {
		const cond = "未获得医师资格证书"
		c.blank("qual_level", cond, "医师资格级别", ct.QualLevel)
		c.blank("qual_category", cond, "医师资格类别", ct.QualCategory)
		c.blank("qual_cert_no", cond, "医师资格证书编号", ct.QualCertNo)
		c.blank("qual_cert_date", cond, "取得医师资格证书时间", ct.QualCertDate)
	}

	if ct.HasPractising {
		if !ct.HasQualCert {
			c.add("has_practising", "取得执业医师证书须先获得医师资格证书")
		}
		c.text("practising_no", "执业医师证书编号", ct.PractisingNo)
		p, ok := c.pastDate("practising_date", "执业医师资格证书获取时间", ct.PractisingDate)
		c.notBefore("practising_date", p, ok, "执业医师资格证书获取时间", qual, qualOK, "取得医师资格证书时间")
	} else {
		const cond = "未取得执业医师证书"
		c.blank("practising_no", cond, "执业医师证书编号", ct.PractisingNo)
		c.blank("practising_date", cond, "执业医师资格证书获取时间", ct.PractisingDate)
	}

	ct.checkForeignLanguage(c)
	return c.f.Err()
}

func (ct Certificates) checkForeignLanguage(c checker) {
	certRequired := func() {
		c.text("foreign_lang_cert_no", "外语等级考试证书编号", ct.ForeignLangCertNo)
		c.pastDate("foreign_lang_cert_date", "外语等级考试证书取得时间", ct.ForeignLangCertDate)
	}
	certBlank := func(cond string) {
		c.blank("foreign_lang_cert_no", cond, "外语等级考试证书编号", ct.ForeignLangCertNo)
		c.blank("foreign_lang_cert_date", cond, "外语等级考试证书取得时间", ct.ForeignLangCertDate)
	}
	t := ct.ForeignLangType
	if !c.choice("foreign_lang_type", "外语等级考试类型", t, ForeignLangTypes) {
		return
	}
	switch t {
	case LangNone:
		c.blank("foreign_lang_level", LangNone, "外语等级(非英语)", ct.ForeignLangLevel)
		certBlank(LangNone)
		if ct.EnglishLevel != "" && ct.EnglishLevel != EnglishNotPassed {
			c.add("english_level", "未参加外语等级考试的，英语等级应为“未通过”")
		}
	case LangOther:
		c.text("foreign_lang_level", "外语等级(非英语)", ct.ForeignLangLevel)
		certRequired()
		if ct.EnglishLevel != "" {
			c.choice("english_level", "英语等级", ct.EnglishLevel, EnglishLevels)
		}
	default:
		c.blank("foreign_lang_level", "外语等级考试类型为"+t, "外语等级(非英语)", ct.ForeignLangLevel)
		if !c.choice("english_level", "英语等级", ct.EnglishLevel, EnglishLevels) {
			return
		}
		if ct.EnglishLevel == EnglishNotPassed {
			certBlank("英语等级为未通过")
			return
		}
		if allowed := englishLevelsByType[t]; !OneOf(allowed, ct.EnglishLevel) {
			c.add("english_level", fmt.Sprintf("%s等级考试的英语等级只能是%s或%s", t, strings.Join(allowed, "、"), EnglishNotPassed))
		}
		certRequired()
	}
}

// ---- cross-section checks ----

// CheckPersonnelConsistency checks the personnel type against the work
// section: 社会化 means no employer; 本单位培训 and 外单位送培 need one.
func CheckPersonnelConsistency(b Basic, w Work) error {
	switch {
	case b.PersonnelType == PersonnelSocial && w.HasEmployer:
		return personnelError("人员类型为社会化（无工作单位）的，工作信息中不能有工作单位")
	case (b.PersonnelType == PersonnelOwnUnit || b.PersonnelType == PersonnelSent) && !w.HasEmployer:
		return personnelError(fmt.Sprintf("人员类型为%s的，须在工作信息中填写工作单位", b.PersonnelType))
	}
	return nil
}

// CheckOwnUnit checks, when a base is chosen, that a 本单位培训 applicant's
// employer is that base and a 外单位送培 applicant's is not (names compared
// after trimming spaces).
func CheckOwnUnit(b Basic, w Work, baseName string) error {
	if err := CheckPersonnelConsistency(b, w); err != nil {
		return err
	}
	same := strings.TrimSpace(w.EmployerName) == strings.TrimSpace(baseName)
	switch {
	case b.PersonnelType == PersonnelOwnUnit && !same:
		return personnelError(fmt.Sprintf("人员类型为本单位培训的，报考培训基地须与工作单位一致：工作单位为“%s”，所选基地为“%s”",
			strings.TrimSpace(w.EmployerName), strings.TrimSpace(baseName)))
	case b.PersonnelType == PersonnelSent && same:
		return personnelError("人员类型为外单位送培的，报考培训基地不能是本人工作单位；如在本单位培训，请将人员类型改为本单位培训")
	}
	return nil
}

func personnelError(msg string) error {
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"personnel_type": msg}}
}
