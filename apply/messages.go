package apply

import (
	"context"

	"zhupei/recruit"
)

// The applicant's inbox (我的消息): every notification written for the bound
// identity, in full, with its read state.

// Messages returns the applicant's notifications, newest first.
func (s *Service) Messages(ctx context.Context, who recruit.Identity) (ns []recruit.Notification, err error) {
	defer func() { err = recruit.WithOp("apply.Messages", err) }()
	return s.store.ListNotifications(ctx, who.ID)
}

// Message returns one of the applicant's notifications and marks it read;
// another applicant's id is ENOTFOUND.
func (s *Service) Message(ctx context.Context, who recruit.Identity, id int64) (n recruit.Notification, err error) {
	defer func() { err = recruit.WithOp("apply.Message", err) }()
	if err := s.store.MarkNotificationRead(ctx, who.ID, id, s.now()); err != nil {
		return n, err
	}
	return s.store.GetNotification(ctx, who.ID, id)
}

// Unread counts the applicant's unread notifications, for the header badge.
func (s *Service) Unread(ctx context.Context, who recruit.Identity) (n int, err error) {
	defer func() { err = recruit.WithOp("apply.Unread", err) }()
	return s.store.UnreadNotifications(ctx, who.ID)
}
