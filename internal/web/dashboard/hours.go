package dashboard

import (
	"context"
	"strconv"
	"strings"
	"time"

	"shopmail/internal/campaign/stored"
	"shopmail/internal/web"
)

// Hours counts a campaign's sends hour by hour, from at most max of them.
type Hours interface {
	CampaignHours(ctx context.Context, campaignID string, max int) ([]stored.Hour, int, error)
}

// hoursRead is how many of a campaign's sends its chart over time reads (a sample beyond):
// the chart is fetched every minute while the page is open (its buckets are hours), the
// numbers every 1.5 s. The rows are read whole (GSI7 holds none of their times), half a read
// unit each: 500 units a fetch, about $0.004 an hour of an open page.
const hoursRead = 1000

// series is a chart over time: one line per measure, points at each bucket.
type series struct {
	Lines         []line
	From, To      string
	Sampled, Of   int64
	Alt           string
	Width, Height int
}

type line struct {
	Label, Class, Points string
	Total                int64
}

func (d *Dashboard) campaignHours(rq *request, id string, targeted int64) (series, error) {
	if d.Hours == nil {
		return series{}, nil
	}
	hours, read, err := d.Hours.CampaignHours(rq.ctx, id, hoursRead)
	if err != nil {
		return series{}, err
	}
	return overTime(rq.v, hours, int64(read), targeted, d.zone()), nil
}

// overTime draws the hours as lines, by hour over two days at most, else by day.
func overTime(v view, hours []stored.Hour, read, targeted int64, zone *time.Location) series {
	sr := series{Width: chartWidth, Height: 180}
	if len(hours) == 0 {
		return sr
	}
	if read < targeted {
		sr.Sampled, sr.Of = read, targeted
	}
	step := time.Hour
	if hours[len(hours)-1].At.Sub(hours[0].At) > 48*time.Hour {
		step = 24 * time.Hour
	}
	first := hours[0].At.In(zone).Truncate(step)
	n := int(hours[len(hours)-1].At.Sub(first)/step) + 1
	buckets := make([][4]int64, n)
	for _, h := range hours {
		i := min(n-1, max(0, int(h.At.Sub(first)/step)))
		buckets[i][0] += h.Sent
		buckets[i][1] += h.Delivered
		buckets[i][2] += h.Opened
		buckets[i][3] += h.Clicked
	}
	var top int64
	for _, b := range buckets {
		top = max(top, b[0], b[1], b[2], b[3])
	}
	labels := []string{v.T("n.sent"), v.T("n.delivered"), v.T("n.opened.human"), v.T("n.clicked.human")}
	classes := []string{"line", "line l2", "line l3", "line l4"}
	plotW, plotH := float64(sr.Width-20), float64(sr.Height-30)
	for k := range 4 {
		var pts []string
		var total int64
		for i, b := range buckets {
			x := 10.0
			if n > 1 {
				x += plotW * float64(i) / float64(n-1)
			}
			y := 10 + plotH
			if top > 0 {
				y -= plotH * float64(b[k]) / float64(top)
			}
			pts = append(pts, strconv.FormatFloat(x, 'f', 1, 64)+","+strconv.FormatFloat(y, 'f', 1, 64))
			total += b[k]
		}
		sr.Lines = append(sr.Lines, line{Label: labels[k], Class: classes[k], Points: strings.Join(pts, " "), Total: total})
	}
	sr.From, sr.To = v.When(first), v.When(first.Add(time.Duration(n-1)*step))
	var alt []string
	for i, b := range buckets {
		if i == 24 {
			alt = append(alt, "…")
			break
		}
		alt = append(alt, v.T("chart.time.point", v.When(first.Add(time.Duration(i)*step)), v.N(b[0]), v.N(b[1]), v.N(b[2]), v.N(b[3])))
	}
	sr.Alt = v.T("chart.time.alt") + " " + strings.Join(alt, "; ")
	return sr
}

func (d *Dashboard) hoursFragment(rq *request, id string) web.Response {
	if resp := d.need(rq, "campaigns:read"); resp != nil {
		return *resp
	}
	st, err := d.Campaigns.Stats(rq.ctx, id)
	if err != nil {
		return web.Text(503, "")
	}
	sr, err := d.campaignHours(rq, id, st.Sent)
	if err != nil {
		return web.Text(503, "")
	}
	return d.fragment(rq, timeChart(rq.v, sr))
}
