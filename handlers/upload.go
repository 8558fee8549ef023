package handlers

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"zhupei/apply"
	"zhupei/recruit"
)

// Uploads of the applicant: the ID photo (基本信息) and three certificate
// scans (证书信息), checked and stored by apply.Service with the section
// they belong to, and served only to their owner (GET /apply/files/:id) and
// to the staff of the base of the owner's application (GET
// /api/v1/mp/files/:id, see staff.go).

// bodyLimit is the largest request the server reads: two files at the
// limit plus the form around it. It is well above one file's limit so that
// a photo straight from a phone camera (12 MB and more) reaches the service
// and is refused next to its field, with the form and its values kept;
// only a larger body gets the bare 413 page (see handleError). Each request
// holds at most this much in memory.
const bodyLimit = 2*recruit.MaxUploadSize + 2<<20

// formFiles reads the uploaded files named fields from a multipart request;
// a field without a file is absent from the result.
func formFiles(c *fiber.Ctx, fields ...string) (map[string][]byte, error) {
	out := map[string][]byte{}
	form, err := c.MultipartForm()
	if err != nil {
		return out, nil // not multipart: no files
	}
	for _, field := range fields {
		hs := form.File[field]
		if len(hs) == 0 || hs[0].Size == 0 {
			continue
		}
		f, err := hs[0].Open()
		if err != nil {
			return nil, recruit.Internal(err)
		}
		buf := bytes.NewBuffer(make([]byte, 0, hs[0].Size))
		_, err = buf.ReadFrom(f)
		f.Close()
		if err != nil {
			return nil, recruit.Internal(err)
		}
		out[field] = buf.Bytes()
	}
	return out, nil
}

// serveFile sends an uploaded file to its owner; anyone else gets 404, as
// if the file did not exist.
func (s *server) serveFile(c *fiber.Ctx) error {
	id, ok := identityOf(c)
	if !ok {
		return apply.ErrNoFile
	}
	f, err := s.apply.File(c.UserContext(), id, c.Params("id"))
	if err != nil {
		return err
	}
	return sendFile(c, f)
}

// sendFile sends an uploaded file inline with its checked content type,
// which browsers must not second-guess, and never to a shared cache.
func sendFile(c *fiber.Ctx, f recruit.File) error {
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderContentDisposition, "inline")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(f.Data)
}

// fileURL is where the owner sees a stored file ("" when none).
func fileURL(id string) string {
	if id == "" {
		return ""
	}
	return fmt.Sprintf("/apply/files/%s", id)
}
