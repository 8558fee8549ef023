// Package wechat connects the service to the WeChat official account (服务号)
// and the staff mini-program through github.com/silenceper/wechat/v2.
//
// It imports only the SDK's officialaccount and miniprogram sub-packages (the
// SDK root package turns on debug logging of decrypted messages). The access
// token lives in the shared store (KVCache) so every instance uses the same
// one; Client.Do refreshes it once and retries once on 40001/42001, with
// concurrent callers sharing a single refresh. The callback endpoint
// (Callback) verifies signatures, decrypts safe-mode messages with its own
// small implementation of the published scheme, answers "success" at once,
// de-duplicates WeChat's retries and hands events to an EventHandler on a
// bounded worker queue. A handler that is also a Replier answers events the
// user must see answered at once (a login QR code's confirmation link) with
// a passive text reply, encrypted in safe mode; a retry gets the same reply.
//
// In sandbox mode every SDK request for api.weixin.qq.com, open.weixin.qq.com
// and mp.weixin.qq.com is redirected by an http.RoundTripper to the stand-in
// platform of package wechat/sandbox, so the production code paths run
// unchanged. In live mode nothing of the sandbox exists.
package wechat
