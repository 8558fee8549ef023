package apply

import (
	"context"

	"zhupei/recruit"
)

// Uploads of the applicant: the ID photo (基本信息) and three certificate
// scans (证书信息). They are checked by recruit.CheckPhoto and
// recruit.CheckScan, stored with the section they belong to (see commit)
// and served only to their owner (Service.File) and to the staff of the
// base of the owner's application.

// Fields of the uploads, the same names as the sections' JSON fields.
const (
	FieldPhoto          = "photo_id"
	FieldQualScan       = "qual_scan_id"
	FieldPractisingScan = "practising_scan_id"
	FieldDegreeScan     = "degree_scan_id"
)

// ScanFields are the certificate scans in display order.
var ScanFields = []string{FieldQualScan, FieldPractisingScan, FieldDegreeScan}

// Slot is one kind of upload.
type Slot struct {
	Field string
	Kind  string // recruit.File.Kind
	Label string // the field catalogue's
	check func([]byte) (contentType string, err error)
}

func checkPhoto(data []byte) (string, error) { return "image/jpeg", recruit.CheckPhoto(data) }

var slots = func() map[string]Slot {
	out := map[string]Slot{}
	for _, s := range []Slot{
		{Field: FieldPhoto, Kind: "photo", check: checkPhoto},
		{Field: FieldQualScan, Kind: "qual_scan", check: recruit.CheckScan},
		{Field: FieldPractisingScan, Kind: "practising_scan", check: recruit.CheckScan},
		{Field: FieldDegreeScan, Kind: "degree_scan", check: recruit.CheckScan},
	} {
		s.Label = recruit.FieldLabel(s.Field)
		out[s.Field] = s
	}
	return out
}()

// SlotOf returns the upload of field (one of FieldPhoto and ScanFields).
func SlotOf(field string) (Slot, bool) {
	s, ok := slots[field]
	return s, ok
}

// ScanID returns the field of ct holding the scan of field.
func ScanID(ct *recruit.Certificates, field string) *string {
	switch field {
	case FieldPractisingScan:
		return &ct.PractisingScanID
	case FieldDegreeScan:
		return &ct.DegreeScanID
	}
	return &ct.QualScanID
}

// newUpload checks data for slot and returns the file to store, with a
// random id, owned by the applicant.
func (s *Service) newUpload(a *Applicant, slot Slot, data []byte) (recruit.File, error) {
	if len(data) == 0 {
		return recruit.File{}, recruit.Errorf(recruit.EINVALID, "请选择要上传的%s", slot.Label)
	}
	ct, err := slot.check(data)
	if err != nil {
		return recruit.File{}, err
	}
	return recruit.File{ID: randomID(), OwnerID: a.Identity.ID, Kind: slot.Kind, ContentType: ct,
		Size: int64(len(data)), Data: data, CreatedAt: s.now()}, nil
}

// ErrNoFile answers for a file that does not exist or that the caller may
// not see.
var ErrNoFile = recruit.Errorf(recruit.ENOTFOUND, "文件不存在")

// File returns the upload id when who owns it; anyone else gets ErrNoFile,
// as if the file did not exist.
func (s *Service) File(ctx context.Context, who recruit.Identity, id string) (recruit.File, error) {
	if len(id) != 32 {
		return recruit.File{}, ErrNoFile
	}
	f, err := s.store.GetFile(ctx, id)
	if err != nil {
		return recruit.File{}, recruit.WithOp("apply.File", err)
	}
	if !recruit.UploadKind(f.Kind) || f.OwnerID != who.ID {
		return recruit.File{}, ErrNoFile
	}
	return f, nil
}
