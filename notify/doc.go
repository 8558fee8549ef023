// Package notify holds the notifications: one builder per kind
// (Registered, ReviewResult, RoundOpened, StaffDeadline, …) that the
// use-cases call to make the recruit.Notification written with their change,
// the keyword types of WeChat's 2023 template rules (Fit), the template
// configuration per kind, and the Sender: a job that claims due outbox rows
// under a lease and sends them as official-account template messages
// (applicants) or mini-program subscribe messages (staff), ending each row
// sent, retried with back-off, undeliverable or failed, pausing all sending
// until midnight in Shanghai when the daily quota is used up, and applying
// WeChat's delivery reports (TEMPLATESENDJOBFINISH).
package notify
