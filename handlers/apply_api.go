package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"zhupei/apply"
	"zhupei/recruit"
)

// applyAPIRoutes registers the applicant's JSON API under /api/v1/me: the
// same actions as the pages through the same service (apply.Service).
func (s *server) applyAPIRoutes(app *fiber.App) {
	need := s.requireIdentity
	app.Get("/api/v1/me/profile", need, s.apiMyProfile)
	app.Put("/api/v1/me/profile/:section", need, s.apiPutSection)
	app.Put("/api/v1/me/education/:id", need, s.apiPutEducation)
	app.Delete("/api/v1/me/education/:id", need, s.apiDeleteEducation)
	app.Post("/api/v1/me/choice", need, s.apiPostChoice)
	app.Post("/api/v1/me/offer", need, s.apiAnswerOffer)
}

// identityJSON is the binding as the applicant's API shows it.
type identityJSON struct {
	Name     string `json:"name"`
	IDType   string `json:"id_type"`
	IDMasked string `json:"id_number_masked"`
}

// profileJSON is the body of GET /api/v1/me/profile and of every write.
type profileJSON struct {
	Identity    identityJSON         `json:"identity"`
	Phase       recruit.Phase        `json:"phase"`
	PhaseLabel  string               `json:"phase_label"`
	Version     int                  `json:"version"`
	Sections    map[string]bool      `json:"sections"`
	Complete    bool                 `json:"complete"`
	EditRefusal string               `json:"edit_refusal"` // "" when the profile may be edited
	Profile     recruit.Profile      `json:"profile"`
	Application *recruit.Application `json:"application"`
}

func profileBody(a *apply.Applicant) profileJSON {
	out := profileJSON{
		Identity:    identityJSON{Name: a.Identity.Name, IDType: a.Identity.IDType, IDMasked: recruit.MaskID(a.Identity.IDNumber)},
		Phase:       a.Phase,
		PhaseLabel:  a.Phase.Label(),
		Version:     a.Profile.Version,
		Sections:    map[string]bool{},
		Complete:    a.Profile.Complete(),
		Profile:     a.Profile,
		Application: a.App,
	}
	for _, k := range []string{apply.SectionBasic, apply.SectionWork, apply.SectionEducation, apply.SectionCertificates} {
		out.Sections[k] = a.Done(k)
	}
	if err := a.EditRefusal(); err != nil {
		out.EditRefusal = recruit.ErrorMessage(err)
	}
	return out
}

func (s *server) apiMyProfile(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	return c.JSON(profileBody(a))
}

// sectionInput is the body of a section write: {"version": n, "data": {…}}.
// Basic and certificates also accept multipart/form-data with the fields
// version and data (the same JSON) and the files photo_id, qual_scan_id,
// practising_scan_id, degree_scan_id.
type sectionInput struct {
	Version *int            `json:"version"`
	Data    json.RawMessage `json:"data"`
}

var errBadJSON = recruit.Errorf(recruit.EINVALID, "请求内容不是有效的JSON，格式为 {\"version\": 版本号, \"data\": {…}}")

// readSection decodes the version and the section into out and returns the
// uploaded files (multipart only).
func readSection(c *fiber.Ctx, out any, fileFields ...string) (int, map[string][]byte, error) {
	var in sectionInput
	var files map[string][]byte
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		v, err := strconv.Atoi(c.FormValue("version"))
		if err != nil {
			return 0, nil, errBadJSON
		}
		in.Version, in.Data = &v, json.RawMessage(c.FormValue("data"))
		if files, err = formFiles(c, fileFields...); err != nil {
			return 0, nil, err
		}
	} else if err := json.Unmarshal(c.Body(), &in); err != nil {
		return 0, nil, errBadJSON
	}
	if in.Version == nil || *in.Version < 0 || len(in.Data) == 0 {
		return 0, nil, errBadJSON
	}
	dec := json.NewDecoder(bytes.NewReader(in.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return 0, nil, recruit.Errorf(recruit.EINVALID, "资料格式不正确：%s", jsonProblem(err))
	}
	return *in.Version, files, nil
}

// jsonProblem names the field of a JSON decoding error without echoing input.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "字段 " + te.Field + " 的类型不正确"
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		return "未知字段 " + strings.TrimPrefix(msg, "json: unknown field ")
	}
	return "不是有效的JSON"
}

func (s *server) apiPutSection(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	switch c.Params("section") {
	case apply.SectionBasic:
		var b recruit.Basic
		version, files, err := readSection(c, &b, apply.FieldPhoto)
		if err == nil {
			err = s.apply.SaveBasic(ctx, a, apply.Edit{Version: version, Files: files}, b)
		}
		if err != nil {
			return err
		}
	case apply.SectionWork:
		var w recruit.Work
		version, _, err := readSection(c, &w)
		if err == nil {
			err = s.apply.SaveWork(ctx, a, apply.Edit{Version: version}, w)
		}
		if err != nil {
			return err
		}
	case apply.SectionCertificates:
		var ct recruit.Certificates
		version, files, err := readSection(c, &ct, apply.ScanFields...)
		if err == nil {
			err = s.apply.SaveCertificates(ctx, a, apply.Edit{Version: version, Files: files}, ct)
		}
		if err != nil {
			return err
		}
	default:
		return recruit.Errorf(recruit.ENOTFOUND, "没有该信息栏目，可选 basic、work、certificates（教育经历见 /api/v1/me/education）")
	}
	return c.JSON(profileBody(a))
}

func (s *server) apiPutEducation(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	var e recruit.Education
	version, _, err := readSection(c, &e)
	if err == nil {
		err = s.apply.SaveEducation(c.UserContext(), a, apply.Edit{Version: version}, id, e)
	}
	if err != nil {
		return err
	}
	return c.JSON(profileBody(a))
}

func (s *server) apiDeleteEducation(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	id, err := recordParam(c)
	if err != nil || id == 0 {
		return apply.ErrNoRecord
	}
	version, err := strconv.Atoi(c.Query("version"))
	if err != nil || version < 0 {
		return recruit.Errorf(recruit.EINVALID, "请在查询参数 version 中给出信息版本号")
	}
	if err := s.apply.DeleteEducation(c.UserContext(), a, version, id); err != nil {
		return err
	}
	return c.JSON(profileBody(a))
}

// choiceInput is the body of POST /api/v1/me/choice. accepts_adjustment is
// required: a missing answer must not be taken for 否.
type choiceInput struct {
	ProgramID         int64 `json:"program_id"`
	AcceptsAdjustment *bool `json:"accepts_adjustment"`
	AppVersion        int   `json:"app_version"` // the application version seen (0: none yet)
}

func (s *server) apiPostChoice(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	var in choiceInput
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return recruit.Errorf(recruit.EINVALID, "请求内容不是有效的JSON，格式为 {\"program_id\": 专业计划编号, \"accepts_adjustment\": true/false, \"app_version\": 版本号}")
	}
	if in.AcceptsAdjustment == nil {
		return &recruit.Error{Code: recruit.EINVALID, Message: "请选择是否接受调剂",
			Fields: map[string]string{"accepts_adjustment": "请选择是否接受调剂"}}
	}
	app, err := s.apply.Choose(c.UserContext(), a, in.AppVersion, recruit.Choice{ProgramID: in.ProgramID, AcceptsAdjustment: *in.AcceptsAdjustment})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"application": app})
}
