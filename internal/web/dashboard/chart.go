package dashboard

import (
	"strconv"

	"shopmail/internal/campaigns"
)

// Charts are inline SVG drawn on the server, each with its numbers as a text alternative.

// bar is one bar of a bar chart.
type bar struct {
	Label string
	Value string
	Y     int
	W     int // width in the chart's units
	Class string
}

const (
	chartWidth = 420
	barSpace   = 40 // a bar and its label
	barLabel   = 16
	barHeight  = 16
	barMax     = 320 // the widest bar; the value is written after it
)

// bars lays out values as horizontal bars, the largest barMax wide.
func bars(v view, labels []string, values []int64) []bar {
	var top int64
	for _, n := range values {
		top = max(top, n)
	}
	out := make([]bar, len(values))
	classes := []string{"bar", "bar2", "bar3"}
	for i, n := range values {
		w := 0
		if top > 0 {
			w = int(n * barMax / top)
		}
		if n > 0 {
			w = max(w, 2)
		}
		out[i] = bar{Label: labels[i], Value: v.N(n), Y: i * barSpace, W: w, Class: classes[i%len(classes)]}
	}
	return out
}

// funnelBars are a campaign's path from sent to ordered.
func funnelBars(v view, st campaigns.Stats) ([]bar, string) {
	labels := []string{v.T("n.sent"), v.T("n.delivered"), v.T("n.opened.human"), v.T("n.clicked.human"), v.T("n.orders")}
	values := []int64{st.Sent, st.Delivered, st.Opened.Human, st.Clicked.Human, st.Orders}
	alt := v.T("chart.funnel.alt", v.N(st.Sent), v.N(st.Delivered), v.N(st.Opened.Human), v.N(st.Clicked.Human), v.N(st.Orders))
	return bars(v, labels, values), alt
}

func px(n int) string { return strconv.Itoa(n) }

// chartHeight is the height of a bar chart of n bars.
func chartHeight(n int) string { return px(n*barSpace + 4) }
