// Package recruit is the domain of zhupei, the Shandong resident-physician
// standardized-training (住院医师规范化培训) recruitment registration system.
//
// It holds the types (bases, specialties, programs, identities, the four
// profile sections, applications, the year calendar), the validators
// (GB 11643 ID numbers, GB 32100 credit codes, phones, e-mail, conditional
// requireds), the edit-permission rules of each phase and the application
// state machine (Transition) with the offers of provisional admissions
// (OfferState, and the moves the stores apply: Move) as pure functions, the
// counters each state adds to its program (State.Counts), the one plan-row
// validation (CleanPlan, PlanChecker), the adjustment pool and its
// placement (BuildPool, and Place: applicant-proposing deferred acceptance,
// pure; a placement is applied as the move PlaceMove), the single error type with the messages every store gives, and
// the store interfaces by aggregate (Catalogue, Identities, Applications,
// Offers, Profiles, Files, Forms, Outbox, KV, Leases, AdjustmentStore and
// more; Store is their union) that the backends implement and the rest of
// the service consumes.
// It imports nothing but the standard library.
package recruit
