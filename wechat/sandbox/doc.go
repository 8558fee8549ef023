// Package sandbox is a stand-in for the WeChat platform, served by the
// service itself in sandbox mode and used by the tests.
//
// It speaks the real protocol on the real paths (/cgi-bin/token,
// /sns/oauth2/access_token, /cgi-bin/qrcode/create, template and
// subscription messages, menus, /sns/jscode2session, …), so the SDK reaches
// it through wechat's rewriting transport and every production code path
// runs. For people it has Chinese pages: an OAuth page where the tester picks
// or creates a test WeChat user, a "phone" page that scans a QR code and
// posts the signed (and in safe mode encrypted) event to the service's
// callback exactly as WeChat does and shows the account's passive reply with
// its links as WeChat would, and viewers for sent messages and the menu.
// App serves it as a separate Fiber application that the service puts in
// front of its own routes, so that it keeps out of the service's sessions,
// CSRF checks and security headers, as the real WeChat is another site. Faults (error codes, hanging requests) can be injected per endpoint.
//
// Expiring state (tokens, codes, tickets, client_msg_id) lives in the shared
// store; the test users, messages and menu are kept in memory.
package sandbox
