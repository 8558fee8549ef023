package handlers

import (
	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// The admin API's adjustment operations (DESIGN.md "Offers and
// adjustment"): the province's shortage specialties and placement
// proposal, a base's adjustment pool and its order of the pool's
// candidates; the proposal's application as offers. The services check
// role, base and phase and write the audit log.

// placementRoutes registers the adjustment operations on the admin group.
func (a *adminAPI) placementRoutes(g fiber.Router) {
	g.Put("/shortage-specialties", a.setShortageSpecialties)
	g.Post("/placement/proposal", a.proposePlacement)
	g.Post("/placement/apply", a.applyPlacement)
	g.Get("/bases/:baseID/pool", a.listPool)
	g.Put("/bases/:baseID/pool/ranking", a.rankPoolCandidates)
}

// shortageInput is the body of setShortageSpecialties.
type shortageInput struct {
	Specialties []string `json:"specialties"`
}

// setShortageSpecialties is PUT /api/v1/admin/shortage-specialties
// (setShortageSpecialties): the latest year's shortage specialty codes
// replace the stored ones.
func (a *adminAPI) setShortageSpecialties(c *fiber.Ctx) error {
	var in shortageInput
	by, err := a.staffBody(c, &in, `{"specialties": ["0700", "0200", …]}（培训专业代码）`)
	if err != nil {
		return err
	}
	codes, err := a.province.SetShortageSpecialties(c.UserContext(), by, in.Specialties)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"specialties": codes})
}

// proposePlacement is POST /api/v1/admin/placement/proposal
// (proposePlacement): the placement proposal of the adjustment pool,
// computed now; nothing but the audit log changes.
func (a *adminAPI) proposePlacement(c *fiber.Ctx) error {
	by, err := a.staff(c)
	if err != nil {
		return err
	}
	p, err := a.province.ProposePlacement(c.UserContext(), by)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// staffBody authenticates the caller and reads the request's JSON body
// into in (strictJSON, example in its message).
func (a *adminAPI) staffBody(c *fiber.Ctx, in any, example string) (recruit.Staff, error) {
	by, err := a.staff(c)
	if err != nil {
		return recruit.Staff{}, err
	}
	return by, strictJSON(c, in, example)
}

// applyInput is the body of applyPlacement.
type applyInput struct {
	Digest string `json:"digest"`
}

// applyPlacement is POST /api/v1/admin/placement/apply (applyPlacement):
// the proposal with the digest given, computed again, applied as offers;
// a different proposal now is 409.
func (a *adminAPI) applyPlacement(c *fiber.Ctx) error {
	var in applyInput
	by, err := a.staffBody(c, &in, `{"digest": "…"}（计算调剂方案时返回的 digest）`)
	if err != nil {
		return err
	}
	out, err := a.province.ApplyPlacement(c.UserContext(), by, in.Digest)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// listPool is GET /api/v1/admin/bases/{baseID}/pool (listPool): the
// members of the adjustment pool who list the base, in its order.
func (a *adminAPI) listPool(c *fiber.Ctx) error {
	by, base, err := a.staffAtBase(c)
	if err != nil {
		return err
	}
	cands, err := a.review.Pool(c.UserContext(), by, base)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"base_id": base, "candidates": cands})
}

// staffAtBase authenticates the caller and parses the baseID path
// parameter; the service decides whether the caller reaches the base.
func (a *adminAPI) staffAtBase(c *fiber.Ctx) (recruit.Staff, int64, error) {
	by, err := a.staff(c)
	if err != nil {
		return recruit.Staff{}, 0, err
	}
	base, err := pathID(c, "baseID", "培训基地")
	return by, base, err
}

// rankingInput is the body of rankPoolCandidates.
type rankingInput struct {
	ApplicationIDs []int64 `json:"application_ids"`
}

// rankPoolCandidates is PUT /api/v1/admin/bases/{baseID}/pool/ranking
// (rankPoolCandidates): the base's order of its pool candidates, best
// first; an empty list clears it.
func (a *adminAPI) rankPoolCandidates(c *fiber.Ctx) error {
	by, base, err := a.staffAtBase(c)
	if err != nil {
		return err
	}
	var in rankingInput
	if err := strictJSON(c, &in, `{"application_ids": [报名编号, …]}（按本基地的排序，最优在前）`); err != nil {
		return err
	}
	r, err := a.review.RankCandidates(c.UserContext(), by, base, in.ApplicationIDs)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
