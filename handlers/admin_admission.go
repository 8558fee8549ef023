package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
	"zhupei/review"
)

// admissionRoutes registers the admission operations of the admin API:
// provisional admission and its undo, publishing, admission and notices.
func (a *adminAPI) admissionRoutes(g fiber.Router) {
	g.Post("/applications/:id/provisional", a.appAction(a.review.AdmitProvisionally))
	g.Post("/applications/:id/provisional/undo", a.undoProvisional)
	g.Post("/applications/:id/admit", a.appAction(a.review.AdmitApplication))
	g.Post("/bases/:baseID/publications", a.publishList)
	g.Post("/bases/:baseID/notices", a.sendNotice)
}

// applicationJSON is an application as the admission operations answer it.
func applicationJSON(app recruit.Application) fiber.Map {
	out := fiber.Map{"id": app.ID, "state": app.State, "state_label": app.State.Label(), "program_id": app.ProgramID}
	if app.OfferState != recruit.OfferNone {
		out["offer_state"], out["offer_deadline"] = app.OfferState, app.OfferDeadline
	}
	return fiber.Map{"application": out}
}

// caller authenticates the request and reads its positive path parameter
// name (what names it in the refusal).
func (a *adminAPI) caller(c *fiber.Ctx, name, what string) (recruit.Staff, int64, error) {
	by, err := a.staff(c)
	if err != nil {
		return recruit.Staff{}, 0, err
	}
	id, err := pathID(c, name, what)
	return by, id, err
}

// reply answers v as JSON with status, or err when there is one.
func reply(c *fiber.Ctx, status int, v any, err error) error {
	if err != nil {
		return err
	}
	return c.Status(status).JSON(v)
}

// appAction is a POST on one application without a body
// (admitProvisionally, admitApplication).
func (a *adminAPI) appAction(do func(ctx context.Context, by recruit.Staff, appID int64) (recruit.Application, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		by, id, err := a.caller(c, "id", "报名")
		if err != nil {
			return err
		}
		app, err := do(c.UserContext(), by, id)
		return reply(c, fiber.StatusOK, applicationJSON(app), err)
	}
}

// undoInput is the body of undoProvisional.
type undoInput struct {
	Remark string `json:"remark"`
}

// undoProvisional is POST /api/v1/admin/applications/{id}/provisional/undo
// (undoProvisional); the body, optional, gives the reason the applicant is
// told.
func (a *adminAPI) undoProvisional(c *fiber.Ctx) error {
	by, id, err := a.caller(c, "id", "报名")
	if err != nil {
		return err
	}
	var in undoInput
	if len(c.Body()) > 0 {
		if err := strictJSON(c, &in, `{"remark": "撤销原因（可不填）"}`); err != nil {
			return err
		}
	}
	app, err := a.review.UndoProvisional(c.UserContext(), by, id, in.Remark)
	return reply(c, fiber.StatusOK, applicationJSON(app), err)
}

// publishList is POST /api/v1/admin/bases/{baseID}/publications
// (publishList): the base's list of the current phase is published.
func (a *adminAPI) publishList(c *fiber.Ctx) error {
	by, base, err := a.caller(c, "baseID", "培训基地")
	if err != nil {
		return err
	}
	p, err := a.review.PublishList(c.UserContext(), by, base)
	return reply(c, fiber.StatusCreated, fiber.Map{"publication": fiber.Map{
		"id": p.ID, "year": p.Year, "base_id": p.BaseID, "round": p.Round, "title": p.Title(), "final": p.Final(),
		"published_at": p.PublishedAt, "entries": p.Entries,
	}}, err)
}

// noticeInput is the body of sendNotice.
type noticeInput struct {
	Kind           string    `json:"kind"`
	At             time.Time `json:"at"`
	Place          string    `json:"place"`
	ApplicationIDs []int64   `json:"application_ids"`
}

// sendNotice is POST /api/v1/admin/bases/{baseID}/notices (sendNotice).
func (a *adminAPI) sendNotice(c *fiber.Ctx) error {
	by, base, err := a.caller(c, "baseID", "培训基地")
	if err != nil {
		return err
	}
	var in noticeInput
	if err := strictJSON(c, &in, `{"kind": "exam" 或 "interview", "at": "2025-07-20T09:00:00+08:00", "place": "地点", "application_ids": [1, 2]}`); err != nil {
		return err
	}
	res, err := a.review.SendNotice(c.UserContext(), by, review.Notice{BaseID: base, Kind: in.Kind, At: in.At, Place: in.Place, ApplicationIDs: in.ApplicationIDs})
	return reply(c, fiber.StatusOK, res, err)
}
