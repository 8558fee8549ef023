package handlers

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"zhupei/recruit"
)

// outboxCollector reads the outbox figures from the store at each scrape,
// so every instance reports the same shared queue: rows by kind and state
// (zhupei_notifications) and the sender's lag, the age of the oldest row
// due and not yet sent (zhupei_notify_lag_seconds, 0 when none waits).
type outboxCollector struct {
	store outboxStats
	now   func() time.Time
	rows  *prometheus.Desc
	lag   *prometheus.Desc
	fail  *prometheus.Desc
}

// outboxStats is the part of recruit.Outbox the collector reads.
type outboxStats interface {
	OutboxStats(ctx context.Context, now time.Time) (recruit.OutboxStats, error)
}

func newOutboxCollector(st outboxStats, now func() time.Time) *outboxCollector {
	return &outboxCollector{store: st, now: now,
		rows: prometheus.NewDesc("zhupei_notifications", "Notifications by kind and delivery state.", []string{"kind", "state"}, nil),
		lag:  prometheus.NewDesc("zhupei_notify_lag_seconds", "Age of the oldest notification due and not yet sent.", nil, nil),
		fail: prometheus.NewDesc("zhupei_notify_stats_errors", "1 when the outbox figures could not be read at this scrape.", nil, nil),
	}
}

func (o *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- o.rows
	ch <- o.lag
	ch <- o.fail
}

func (o *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	now := o.now()
	st, err := o.store.OutboxStats(ctx, now)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(o.fail, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(o.fail, prometheus.GaugeValue, 0)
	for _, c := range st.Counts {
		ch <- prometheus.MustNewConstMetric(o.rows, prometheus.GaugeValue, float64(c.N), string(c.Kind), string(c.State))
	}
	lag := 0.0
	if !st.OldestDue.IsZero() {
		lag = now.Sub(st.OldestDue).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(o.lag, prometheus.GaugeValue, lag)
}
