package handlers

import (
	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// The applicant's inbox (我的消息): the list of their notifications and one
// notification in full, which marks it read.

// messageView is one notification as the inbox shows it.
type messageView struct {
	recruit.Notification
	When string // CreatedAt in Shanghai time
}

func newMessageView(n recruit.Notification) messageView {
	return messageView{Notification: n, When: formatTime(n.CreatedAt)}
}

func (s *server) messages(c *fiber.Ctx) error {
	id, ok := identityOf(c)
	if !ok {
		return errLoginRequired
	}
	ns, err := s.apply.Messages(c.UserContext(), id)
	if err != nil {
		return err
	}
	vs := make([]messageView, len(ns))
	for i, n := range ns {
		vs[i] = newMessageView(n)
	}
	return s.render(c, fiber.StatusOK, "messages.html", page{Title: "我的消息", Nav: "messages", Body: vs})
}

func (s *server) message(c *fiber.Ctx) error {
	id, ok := identityOf(c)
	if !ok {
		return errLoginRequired
	}
	nid, err := pathID(c, "id", "消息")
	if err != nil {
		return err
	}
	n, err := s.apply.Message(c.UserContext(), id, nid)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "message.html", page{Title: n.Title, Nav: "messages", Body: newMessageView(n)})
}
