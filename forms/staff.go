package forms

import (
	"context"
	"strconv"

	"zhupei/recruit"
)

// Staff of a training base (培训基地工作人员) see only the applications that
// choose a program of their own base and are active (recruit.StaffMaySee);
// anything else answers ENOTFOUND as if it did not exist.

var (
	errBadApp  = recruit.Errorf(recruit.EINVALID, "报名编号无效")
	errBadFile = recruit.Errorf(recruit.EINVALID, "文件编号无效")
	errNoApp   = recruit.Errorf(recruit.ENOTFOUND, "未找到该报名信息")
	errNoFile  = recruit.Errorf(recruit.ENOTFOUND, "文件不存在")
)

// errNoBase refuses staff without a base (a province admin).
var errNoBase = recruit.Errorf(recruit.EFORBIDDEN, "该账号不属于任何培训基地")

// ForStaff returns the current form of application appID for staff, a
// member of a base's staff, generated first when there is none: the same
// stored form the applicant sees. appID must be positive (a transport
// passes 0 for an id it cannot parse): EINVALID otherwise. The access is
// written to the audit log.
func (s *Service) ForStaff(ctx context.Context, staff recruit.Staff, appID int64) (Form, error) {
	var f Form
	var seen int64
	err := staffHasBase(staff)
	if err == nil {
		f, seen, err = s.forStaff(ctx, staff.BaseID, appID)
	}
	s.audit(ctx, "staff.form", staff, strconv.FormatInt(appID, 10), seen, err)
	return f, recruit.WithOp("forms.ForStaff", err)
}

// staffHasBase refuses staff of no base.
func staffHasBase(staff recruit.Staff) error {
	if !staff.Role.HasBase() || staff.BaseID <= 0 {
		return errNoBase
	}
	return nil
}

// forStaff returns the form and the id of the application the staff may
// see (0 when none was found), also on a failure after that check.
func (s *Service) forStaff(ctx context.Context, staffBase, appID int64) (Form, int64, error) {
	if appID <= 0 {
		return Form{}, 0, errBadApp
	}
	app, err := s.store.GetApplicationByID(ctx, appID)
	if err == nil {
		err = s.staffMaySee(ctx, staffBase, app)
	}
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return Form{}, 0, errNoApp
	}
	if err != nil {
		return Form{}, 0, err
	}
	// The form of the application just checked, not of a fresh read that
	// a concurrent change of choice could have moved to another base.
	f, err := s.current(ctx, app)
	return f, app.ID, err
}

// StaffFile returns the uploaded file fileID (a photo or certificate scan)
// for the staff of base staffBase when its owner's application of the
// latest year is one they may see; ENOTFOUND otherwise, EINVALID for an id
// that is no upload's (32 lower-case hex digits). The access is written to
// the audit log.
func (s *Service) StaffFile(ctx context.Context, staff recruit.Staff, fileID string) (recruit.File, error) {
	var f recruit.File
	var appID int64
	err := staffHasBase(staff)
	if err == nil {
		f, appID, err = s.staffFile(ctx, staff.BaseID, fileID)
	}
	requested := fileID
	if !validFileID(fileID) {
		requested = "invalid" // client text stays out of the log
	}
	s.audit(ctx, "staff.file", staff, requested, appID, err)
	return f, recruit.WithOp("forms.StaffFile", err)
}

func (s *Service) staffFile(ctx context.Context, staffBase int64, fileID string) (recruit.File, int64, error) {
	if !validFileID(fileID) {
		return recruit.File{}, 0, errBadFile
	}
	var app recruit.Application
	f, err := s.store.GetFile(ctx, fileID)
	if err == nil && !recruit.UploadKind(f.Kind) {
		err = errNoFile
	}
	if err == nil {
		app, err = s.latestApplication(ctx, f.OwnerID)
	}
	if err == nil {
		err = s.staffMaySee(ctx, staffBase, app)
	}
	if recruit.ErrorCode(err) == recruit.ENOTFOUND {
		return recruit.File{}, 0, errNoFile
	}
	if err != nil {
		return recruit.File{}, 0, err
	}
	return f, app.ID, nil
}

// audit writes the audit line of a staff access: the staff member (id,
// never the name) and their base, the id they asked for, the application
// (0 when none was found), the outcome and the request id, never personal
// data.
func (s *Service) audit(ctx context.Context, action string, staff recruit.Staff, requested string, appID int64, err error) {
	result := "ok"
	if err != nil {
		result = recruit.ErrorCode(err)
	}
	s.log.Info("audit: staff access", "action", action, "staff_id", staff.ID, "base_id", staff.BaseID,
		"requested", requested, "application_id", appID, "result", result, "request_id", recruit.RequestID(ctx))
}

// latestApplication returns the applicant's application in the latest year.
func (s *Service) latestApplication(ctx context.Context, identityID int64) (recruit.Application, error) {
	y, err := s.store.LatestYear(ctx)
	if err != nil {
		return recruit.Application{}, err
	}
	return s.store.GetApplication(ctx, y.Year, identityID)
}

// staffMaySee answers nil when the staff of staffBase may see app, else an
// ENOTFOUND error.
func (s *Service) staffMaySee(ctx context.Context, staffBase int64, app recruit.Application) error {
	prog, err := s.store.GetProgram(ctx, app.ProgramID)
	if err != nil {
		return err
	}
	if !recruit.StaffMaySee(staffBase, app, prog) {
		return errNoApp
	}
	return nil
}

// validFileID reports whether id has the shape of an upload's id: 32
// lower-case hex digits.
func validFileID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
