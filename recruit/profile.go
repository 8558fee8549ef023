package recruit

import "time"

// Personnel types (人员类型) with the seed's explanations.
const (
	PersonnelOwnUnit  = "本单位培训"
	PersonnelSent     = "外单位送培"
	PersonnelSocial   = "社会化"
	PersonnelGraduate = "专业学位研究生"
)

// Dates in profiles are civil dates written "2006-01-02" (Asia/Shanghai).
const DateLayout = "2006-01-02"

// Basic is the 基本信息 section (seed 6.1, 7.6). Name, IDType and IDNumber are
// copied from the identity binding and cannot be edited.
type Basic struct {
	Name          string `json:"name"`
	IDType        string `json:"id_type"`
	IDNumber      string `json:"-"`
	Gender        string `json:"gender"`     // 男 / 女
	BirthDate     string `json:"birth_date"` // must agree with a resident ID number
	Ethnicity     string `json:"ethnicity"`  // one of the 56 groups
	Political     string `json:"political"`  // 政治面貌
	Phone         string `json:"phone"`
	Email         string `json:"email"`
	QQ            string `json:"qq"`
	PersonnelType string `json:"personnel_type"`
	PhotoID       string `json:"photo_id"` // stored file id of the ID photo
}

// Work is the 工作信息 section (seed 6.5, 7.14, 7.15).
type Work struct {
	HasEmployer         bool   `json:"has_employer"`
	WorkStart           string `json:"work_start"`           // 参加工作时间
	WorkYears           int    `json:"work_years"`           // 工作年限
	EmployerName        string `json:"employer_name"`        // 工作单位名称
	EmployerCode        string `json:"employer_code"`        // 统一社会信用代码/组织机构代码
	HospitalLevel       string `json:"hospital_level"`       // 工作单位医院级别
	HospitalGrade       string `json:"hospital_grade"`       // 工作单位医院等次
	InstitutionCategory string `json:"institution_category"` // 医疗卫生机构类别
	Affiliation         string `json:"affiliation"`          // 医疗卫生机构隶属关系
	WesternSupport      bool   `json:"western_support"`      // 是否为西部支援住院医师
	Military            bool   `json:"military"`             // 是否为军队住院医师
	OrderDirected       bool   `json:"order_directed"`       // 是否为订单定向公费医学生
}

// Education levels (是否中专/大专/本科/研究生/博士) in ascending order.
const (
	EduSecondary = "中专"
	EduJunior    = "大专"
	EduBachelor  = "本科"
	EduMaster    = "研究生"
	EduDoctor    = "博士"
)

// EducationLevels lists the levels in ascending order.
var EducationLevels = []string{EduSecondary, EduJunior, EduBachelor, EduMaster, EduDoctor}

// Education is one record of the 教育经历 section (seed 6.3, 7.9).
type Education struct {
	ID                int64  `json:"id"`
	Level             string `json:"level"`              // 中专 … 博士
	InSchool          bool   `json:"in_school"`          // 是否在读
	FullTime          bool   `json:"full_time"`          // 是否全日制
	School            string `json:"school"`             // 在读/毕业院校
	Major             string `json:"major"`              // 在读/毕业专业
	Qualification     string `json:"qualification"`      // 学历
	QualificationDate string `json:"qualification_date"` // 取得学历时间
	GraduationDate    string `json:"graduation_date"`    // 毕业时间(或预计)
	HasDiploma        bool   `json:"has_diploma"`        // 是否获得毕业证书
	DiplomaNo         string `json:"diploma_no"`         // 学历证书编号
	Degree            string `json:"degree"`             // 学位
	HasDegreeCert     bool   `json:"has_degree_cert"`    // 是否获得学位证书
	DegreeDate        string `json:"degree_date"`        // 取得学位时间
	DegreeCertNo      string `json:"degree_cert_no"`     // 学位证书编号
	StartDate         string `json:"start_date"`         // 入学时间
}

// Certificates is the 证书信息 section (seed 6.4, 7.11).
type Certificates struct {
	PassedExam          bool   `json:"passed_exam"`            // 是否通过医师资格考试
	ExamDate            string `json:"exam_date"`              // 通过医师资格考试时间
	HasQualCert         bool   `json:"has_qual_cert"`          // 是否获得医师资格证书
	QualLevel           string `json:"qual_level"`             // 医师资格级别
	QualCategory        string `json:"qual_category"`          // 医师资格类别
	QualCertNo          string `json:"qual_cert_no"`           // 医师资格证书编号
	QualCertDate        string `json:"qual_cert_date"`         // 取得医师资格证书时间
	HasPractising       bool   `json:"has_practising"`         // 是否有执业医师
	PractisingNo        string `json:"practising_no"`          // 执业医师证书编号
	PractisingDate      string `json:"practising_date"`        // 执业医师资格证书获取时间
	ForeignLangType     string `json:"foreign_lang_type"`      // 外语等级考试类型
	ForeignLangLevel    string `json:"foreign_lang_level"`     // 外语等级(非英语)
	ForeignLangCertNo   string `json:"foreign_lang_cert_no"`   // 外语等级考试证书编号
	ForeignLangCertDate string `json:"foreign_lang_cert_date"` // 外语等级考试证书取得时间
	EnglishLevel        string `json:"english_level"`          // 英语等级
	QualScanID          string `json:"qual_scan_id"`           // 医师资格证书扫描件
	PractisingScanID    string `json:"practising_scan_id"`     // 执业医师资格证书扫描件
	DegreeScanID        string `json:"degree_scan_id"`         // 最高学历证书扫描件
}

// Profile is everything an applicant has entered. A nil section is not filled.
type Profile struct {
	IdentityID   int64         `json:"identity_id"`
	Basic        *Basic        `json:"basic,omitempty"`
	Work         *Work         `json:"work,omitempty"`
	Education    []Education   `json:"education,omitempty"`
	Certificates *Certificates `json:"certificates,omitempty"`
	Version      int           `json:"version"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

// Complete reports whether all four sections are filled.
func (p Profile) Complete() bool {
	return p.Basic != nil && p.Work != nil && len(p.Education) > 0 && p.Certificates != nil
}
