package recruit

import "testing"

func TestStoreInputChecks(t *testing.T) {
	tests := []struct {
		name      string
		bad, good error
	}{
		{"year", CheckYear(0), CheckYear(2025)},
		{"identity", second(CleanNewIdentity(Identity{OpenID: "o", IDType: IDTypePassport, IDNumber: " "})), second(CleanNewIdentity(Identity{OpenID: "o", IDType: IDTypePassport, IDNumber: "E1"}))},
		{"revision", CheckRevision(Revision{IdentityID: 1}), CheckRevision(Revision{IdentityID: 1, Kind: "basic"})},
		{"profile", CheckProfileKey(Profile{IdentityID: 1, Version: -1}), CheckProfileKey(Profile{IdentityID: 1})},
		{"file", CheckFile(File{}), CheckFile(File{ID: "f"})},
		{"notification", CheckNotification(Notification{IdentityID: 1, Kind: KindRegistered, Title: "t"}), CheckNotification(Notification{IdentityID: 1, Kind: KindRegistered, Key: "m", Title: "t"})},
		{"form", CheckForm(FormRecord{Code: "F"}), CheckForm(FormRecord{Code: "F", ApplicationID: 1})},
	}
	for _, tt := range tests {
		if ErrorCode(tt.bad) != EINVALID || ErrorMessage(tt.bad) == ErrorMessage(Internal(nil)) || tt.good != nil {
			t.Errorf("%s: bad input %v, good input %v", tt.name, tt.bad, tt.good)
		}
	}
	if err := ErrPlanBelowAdmitted(7, 0, 1); ErrorCode(err) != ECONFLICT || ErrorMessage(err) != "第7行：计划数 0 少于该专业已拟录取人数 1" {
		t.Errorf("ErrPlanBelowAdmitted = %v", err)
	}
	if id, err := CleanNewIdentity(Identity{OpenID: "o", IDType: IDTypePassport, IDNumber: " E1 "}); err != nil || id.IDNumber != "E1" {
		t.Errorf("CleanNewIdentity = %+v, %v; want the number trimmed", id, err)
	}
	if err := ErrNoPlanInYear(2025); ErrorCode(err) != ENOTFOUND {
		t.Errorf("ErrNoPlanInYear = %v", err)
	}
}

func second[T any](_ T, err error) error { return err }
