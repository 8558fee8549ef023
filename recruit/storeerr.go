package recruit

import (
	"strings"
	"time"
)

// Messages of the conditions every store reports, one per condition; the
// contract suite (store/storetest) checks that each backend gives them.
const (
	MsgNoYear        = "招录年度不存在"
	MsgNoProgram     = "培训计划不存在"
	MsgNoApplication = "报名记录不存在"
	MsgNotApplied    = "尚未报名"
	MsgNotBound      = "尚未完成实名认证"
	MsgNoIdentity    = "实名认证信息不存在"
	MsgOpenIDBound   = "该微信账号已完成实名认证"
	MsgNumberBound   = "该证件号码已被其他微信账号认证"
	MsgNameDiffers   = "姓名与该证件号码已有的认证信息不一致"
	MsgProgramFull   = "该培训专业的拟录取人数已达计划数"
	MsgStale         = "信息已被修改，请刷新后重试"
	MsgNoFile        = "文件不存在"
	MsgNoForm        = "报名表不存在"
	MsgFormCodeUsed  = "报名表编号已存在"
	MsgQueued        = "该通知已在发送队列中"
	MsgNoNotice      = "消息不存在"
	MsgLeaseLost     = "该通知已不由本发送程序处理"
	MsgNoKV          = "记录不存在或已过期"
	MsgBusy          = "系统繁忙，请稍后重试"
	MsgStaleChoice   = "志愿信息已在其他页面修改，请刷新后重试"
	msgBadIdentity   = "微信账号、证件类型和证件号码不能为空"
	msgBadRevision   = "修改记录缺少申请人或类别"
	msgBadProfileKey = "个人信息的编号或版本无效"
	msgBadFile       = "文件编号不能为空"
	msgBadNotice     = "通知缺少接收人、类别、编号或标题"
	msgBadOutcome    = "通知的发送结果无效"
	msgBadForm       = "报名表缺少编号或报名记录"
	msgBadLease      = "任务租约的名称、持有者或到期时间无效"
	msgNoPlanInYear  = "所选培训基地和专业在%d年度没有招录计划"
	msgBelowAdmitted = "第%d行：计划数 %d 少于该专业已拟录取人数 %d"
	msgBadYearNumber = "年度无效：%d"
)

// ErrQueued is the ECONFLICT of a notification whose Key is queued
// already.
var ErrQueued = Errorf(ECONFLICT, MsgQueued)

// ErrNoPlanInYear is the ENOTFOUND of a choice of a program that is not one
// of year.
func ErrNoPlanInYear(year int) error { return Errorf(ENOTFOUND, msgNoPlanInYear, year) }

// ErrPlanBelowAdmitted is the ECONFLICT of a plan row (at line) whose plan is
// below the admitted count of its program.
func ErrPlanBelowAdmitted(line, plan, admitted int) error {
	return Errorf(ECONFLICT, msgBelowAdmitted, line, plan, admitted)
}

// CheckYear refuses a year number that is not positive.
func CheckYear(year int) error {
	if year <= 0 {
		return Errorf(EINVALID, msgBadYearNumber, year)
	}
	return nil
}

// CleanNewIdentity trims the ID number of a binding and refuses one
// without account, ID type or number.
func CleanNewIdentity(id Identity) (Identity, error) {
	id.IDNumber = strings.TrimSpace(id.IDNumber)
	if id.OpenID == "" || id.IDType == "" || id.IDNumber == "" {
		return Identity{}, Errorf(EINVALID, msgBadIdentity)
	}
	return id, nil
}

// CheckRevision refuses a history entry without identity or kind.
func CheckRevision(rev Revision) error {
	if rev.IdentityID <= 0 || rev.Kind == "" {
		return Errorf(EINVALID, msgBadRevision)
	}
	return nil
}

// CheckProfileKey refuses a profile without identity or with a negative
// version.
func CheckProfileKey(p Profile) error {
	if p.IdentityID <= 0 || p.Version < 0 {
		return Errorf(EINVALID, msgBadProfileKey)
	}
	return nil
}

// CheckFile refuses a file without id.
func CheckFile(f File) error {
	if f.ID == "" {
		return Errorf(EINVALID, msgBadFile)
	}
	return nil
}

// CheckForm refuses a form record without code or application.
func CheckForm(f FormRecord) error {
	if f.Code == "" || f.ApplicationID <= 0 {
		return Errorf(EINVALID, msgBadForm)
	}
	return nil
}

// CheckLease refuses a lease without name or owner or one that would end
// no later than now.
func CheckLease(name, owner string, until, now time.Time) error {
	if name == "" || owner == "" || !until.After(now) {
		return Errorf(EINVALID, msgBadLease)
	}
	return nil
}
