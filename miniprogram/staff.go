// Package miniprogram is the backend of the staff mini-program (DESIGN.md,
// "Staff, review and admission"): a staff member logs in with wx.login's
// code (code2session gives the mini-program openid) and binds that openid
// by redeeming a one-time invitation code that names a role (审核员,
// 基地管理员 or 省级管理员) and, for the first two, a training base; the
// first province admin's code comes from `zhupei staff-invite`. A staff
// member who uses the PC console already binds with the link code the
// console's home makes instead (province.CreateLinkCode), and gets one for
// the console at POST /api/v1/mp/link-code. The JSON
// API lives under /api/v1/mp and authenticates with `Authorization: Bearer
// <token>`, never a cookie, so it needs no CSRF token. The staff open an
// applicant's registration form and uploads through package forms
// (forms.go), authenticated by API.StaffBase.
//
// Staff accounts and invitations are entities of recruit.StaffStore; an
// invitation is stored by the SHA-256 of its code. Sessions and rate limits
// are records of the store's key-value part, shared by every instance:
//
//	mpsess:<sha256 of token>   → openid, two hours
//	mp:rate:login:<client IP>  → logins in the current minute
//	mp:rate:bind:<openid>      → redemptions in the current hour
//
// A session names the openid, not the account: every request reads the
// account again, so disabling it refuses all its sessions at once.
// Creating and redeeming invitations are use-cases of package province.
package miniprogram

import (
	"crypto/sha256"
	"encoding/hex"
)

// staffRef names a staff account in the audit log without its openid.
func staffRef(openID string) string {
	sum := sha256.Sum256([]byte("zhupei staff " + openID))
	return hex.EncodeToString(sum[:6])
}
