package recruit

// Option is one choice of a select field with the explanation shown under it.
type Option struct {
	Value string `json:"value"`
	Hint  string `json:"hint"`
}

// OptionValues returns the values of opts in order.
func OptionValues(opts []Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value
	}
	return out
}

// OneOf reports whether v is one of list.
func OneOf(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// Genders are the values of 性别.
var Genders = []string{"男", "女"}

// Ethnicities are the 56 ethnic groups (民族) in the order of GB/T 3304.
var Ethnicities = []string{
	"汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族",
	"布依族", "朝鲜族", "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族",
	"哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族",
	"水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族",
	"羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
	"塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族",
	"京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
}

// PoliticalStatuses are the values of 政治面貌 in the order of GB/T 4762.
var PoliticalStatuses = []string{
	"中共党员", "中共预备党员", "共青团员", "民革党员", "民盟盟员", "民建会员", "民进会员",
	"农工党党员", "致公党党员", "九三学社社员", "台盟盟员", "无党派人士", "群众",
}

// PersonnelTypes are the values of 人员类型 with the seed's explanations.
var PersonnelTypes = []Option{
	{PersonnelOwnUnit, "报考培训基地与工作单位一致"},
	{PersonnelSent, "已有工作单位且报考培训基地与原单位不一致"},
	{PersonnelSocial, "无工作单位"},
	{PersonnelGraduate, "全日制硕士专业研究生"},
}

// HospitalLevels are the values of 工作单位医院级别.
var HospitalLevels = []string{"三级", "二级", "一级", "未定级"}

// HospitalGrades are the values of 工作单位医院等次.
var HospitalGrades = []string{"甲等", "乙等", "丙等", "未定等"}

// InstitutionCategories are the values of 医疗卫生机构类别, the top-level
// categories of the national health statistics.
var InstitutionCategories = []string{"医院", "基层医疗卫生机构", "专业公共卫生机构", "其他医疗卫生机构"}

// Affiliations are the values of 医疗卫生机构隶属关系 as the national health
// statistics group them.
var Affiliations = []string{"中央属", "省属", "地级市属", "县级市属", "县属", "街道属", "乡镇属", "村属", "其他"}

// Qualifications are the values of 学历 in ascending order.
var Qualifications = []string{"中专", "大学专科", "大学本科", "硕士研究生", "博士研究生"}

// Degrees are the values of 学位; DegreeNone means no degree.
var Degrees = []string{"学士", "硕士", "博士", DegreeNone}

// DegreeNone is the 学位 value of a record without a degree.
const DegreeNone = "无"

// QualLevels are the values of 医师资格级别.
var QualLevels = []string{"执业医师", "执业助理医师"}

// QualCategories are the values of 医师资格类别.
var QualCategories = []string{"临床", "口腔", "公共卫生", "中医"}

// Foreign-language exam types (外语等级考试类型).
const (
	LangNone         = "未参加外语等级考试"
	LangCollegeEng   = "大学英语"
	LangEnglishMajor = "英语专业"
	LangOther        = "其他语种"
)

// ForeignLangTypes are the values of 外语等级考试类型.
var ForeignLangTypes = []string{LangNone, LangCollegeEng, LangEnglishMajor, LangOther}

// EnglishNotPassed is the 英语等级 of someone who passed no English exam.
const EnglishNotPassed = "未通过"

// EnglishLevels are the values of 英语等级.
var EnglishLevels = []string{EnglishNotPassed, "CET-4", "CET-6", "专业四级", "专业八级"}

// englishLevelsByType lists the English levels each English exam type can
// award besides EnglishNotPassed.
var englishLevelsByType = map[string][]string{
	LangCollegeEng:   {"CET-4", "CET-6"},
	LangEnglishMajor: {"专业四级", "专业八级"},
}
