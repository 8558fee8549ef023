package recruit

// StaffMaySee decides whether the staff of base staffBase may see app, whose
// chosen program is prog: only an active application (submitted, not
// withdrawn) choosing a program of their own base. The same rule covers an
// applicant's uploaded files, through the applicant's application of the
// latest year.
func StaffMaySee(staffBase int64, app Application, prog Program) bool {
	return app.State.Active() && prog.ID == app.ProgramID && prog.BaseID == staffBase
}

// UploadKind reports whether kind (File.Kind) names a file the applicant
// uploaded: the photo or a certificate scan, not a generated form.
func UploadKind(kind string) bool {
	switch kind {
	case "photo", "qual_scan", "practising_scan", "degree_scan":
		return true
	}
	return false
}
