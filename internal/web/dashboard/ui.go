//lint:file-ignore ST1018 Persian writes the zero-width non-joiner (half-space) inside words; escaping it would make the text unreadable.

package dashboard

import (
	"fmt"
	"strconv"
	"time"

	"shopmail/internal/money"
	"shopmail/internal/render"
	"shopmail/internal/web"
)

// view is what every page knows: the interface's language (numbers with its digits, dates in
// its calendar, in the shop's time zone), the marketer and the form token.
type view struct {
	lang string
	L    render.Locale
	csrf string
	who  string
	path string // the page, for the language form to come back to
}

// view chooses the interface's language: the marketer's choice (a cookie), else the browser's.
func (d *Dashboard) view(r web.Request) view {
	lang := cookie(r, langCookie)
	if _, ok := words[lang]; !ok {
		lang = money.Language(web.Language(r))
		if _, ok := words[lang]; !ok {
			lang = "en"
		}
	}
	tz := "UTC"
	if d.Timezone != nil {
		tz = d.Timezone.String()
	}
	return view{lang: lang, L: render.LocaleFor(lang, tz), path: r.RawPath + query(r)}
}

// T is the interface's sentence for key, with args (integers in the language's digits).
func (v view) T(key string, args ...any) string {
	s, ok := words[v.lang][key]
	if !ok {
		s, ok = words["en"][key]
	}
	if !ok {
		return key
	}
	for i, a := range args {
		switch n := a.(type) {
		case int:
			args[i] = v.L.Number(int64(n))
		case int64:
			args[i] = v.L.Number(n)
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// N is a count in the language's digits, grouped by thousands.
func (v view) N(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	sep := ","
	if v.lang == "fa" {
		sep = "٬"
	}
	out := ""
	for len(s) > 3 {
		out = sep + s[len(s)-3:] + out
		s = s[:len(s)-3]
	}
	out = s + out
	if neg {
		out = "-" + out
	}
	return money.Digits(out, v.lang)
}

// F is a number with one decimal in the language's digits ("42.5", "۴۲٫۵").
func (v view) F(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	if v.lang == "fa" {
		s = money.Digits(s, "fa")
		for i := range s {
			if s[i] == '.' {
				s = s[:i] + "٫" + s[i+1:]
				break
			}
		}
	}
	return s
}

// Pct is a percentage with one decimal, with the language's percent sign ("12.5%", "۱۲٫۵٪").
func (v view) Pct(f float64) string {
	if v.lang == "fa" {
		return v.F(f) + "٪"
	}
	return v.F(f) + "%"
}

// When is a moment in the shop's time zone, in the language's calendar; "—" for none.
func (v view) When(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return v.L.DateTime(t)
}

// Tier is a loyalty tier's name as the marketer reads it: the translation of the default
// tiers, the shop's own name otherwise.
func (v view) Tier(name string) string {
	if s := v.T("tier." + name); s != "tier."+name {
		return s
	}
	return name
}

// Dir is the language's direction; Other the language the switch offers.
func (v view) Dir() string { return v.L.Dir }
func (v view) Other() string {
	if v.lang == "fa" {
		return "en"
	}
	return "fa"
}

// words are the dashboard's sentences, per language; a test checks both have every key.
var words = map[string]map[string]string{
	"en": {
		"app":                     "Shop email",
		"lang.name":               "English",
		"lang.switch":             "فارسی",
		"nav":                     "Sections",
		"nav.home":                "Home",
		"nav.campaigns":           "Campaigns",
		"nav.customers":           "Customers",
		"nav.segments":            "Segments",
		"nav.surveys":             "Surveys",
		"nav.occasions":           "Occasions",
		"signout":                 "Sign out",
		"signed.in":               "Signed in as %s",
		"signin.title":            "Sign in",
		"signin.body":             "Sign in with your company account to write campaigns, find customers and read results.",
		"signin.button":           "Sign in",
		"signin.failed":           "The sign-in did not complete. Please try again.",
		"signin.unavailable":      "Sign-in is not available right now. Please try again in a moment.",
		"forbidden.title":         "Not allowed",
		"forbidden.body":          "This form was not sent from this dashboard, or the page is too old. Nothing was changed: go back, reload the page and try again.",
		"scope.missing":           "Your account may not do this: it needs the %s permission.",
		"notfound.title":          "Not found",
		"notfound.body":           "There is nothing here. It may have been deleted.",
		"error.title":             "That did not work",
		"error.retry":             "Something went wrong on our side. Nothing was lost: try again in a moment.",
		"home.title":              "Home",
		"home.sending":            "Sending now",
		"home.scheduled":          "Scheduled next",
		"home.none.sending":       "Nothing is sending.",
		"home.none.scheduled":     "Nothing is scheduled.",
		"home.glance":             "The last 30 days",
		"home.sent":               "Emails sent",
		"home.opens":              "Human opens",
		"home.clicks":             "Human clicks",
		"home.orders":             "Orders attributed",
		"home.revenue":            "Revenue attributed",
		"home.nps":                "NPS",
		"home.new":                "New campaign",
		"campaigns.title":         "Campaigns",
		"campaigns.none":          "No campaigns yet.",
		"campaigns.more":          "Next page",
		"campaigns.all":           "All",
		"col.name":                "Name",
		"col.status":              "Status",
		"col.when":                "When",
		"col.sent":                "Sent",
		"col.opens":               "Opens",
		"col.clicks":              "Clicks",
		"status.draft":            "Draft",
		"status.scheduled":        "Scheduled",
		"status.sending":          "Sending",
		"status.completed":        "Completed",
		"status.paused":           "Paused",
		"status.cancelled":        "Cancelled",
		"status.blocked":          "Blocked",
		"campaign.new":            "New campaign",
		"campaign.edit":           "Edit",
		"campaign.save":           "Save draft",
		"campaign.name":           "Campaign name",
		"campaign.topic":          "Kind of email",
		"topic.sales":             "Sales",
		"topic.news":              "News",
		"topic.greetings":         "Greetings",
		"campaign.segment":        "Send to segment",
		"campaign.segment.pick":   "Choose a segment",
		"campaign.recipients":     "%s contacts in this segment now (consent and suppression are applied when it sends).",
		"campaign.content":        "Content in %s",
		"campaign.subject":        "Subject",
		"campaign.preheader":      "Preview text",
		"campaign.headline":       "Headline",
		"campaign.body":           "Message (Markdown)",
		"campaign.cta":            "Button",
		"campaign.cta.label":      "Button text in %s",
		"campaign.cta.url":        "Button link",
		"campaign.variantb":       "A/B test: subject B in %s",
		"campaign.holdout":        "Holdout (% kept out, to measure the lift)",
		"campaign.optional":       "optional",
		"campaign.preview":        "Preview",
		"campaign.preview.live":   "The previews follow what you type; save the draft to keep it.",
		"campaign.phone":          "%s on a phone",
		"campaign.desktop":        "%s on a desktop",
		"campaign.dark":           "%s, dark mode",
		"campaign.problems":       "Needs fixing before it can be sent",
		"campaign.test":           "Send a test",
		"campaign.test.to":        "Your address",
		"campaign.test.send":      "Send test",
		"campaign.test.sent":      "The test was sent.",
		"campaign.schedule":       "Schedule",
		"campaign.schedule.at":    "Send at (your time)",
		"campaign.schedule.now":   "Send now",
		"campaign.schedule.local": "At this hour in each customer's own time zone",
		"campaign.schedule.go":    "Schedule",
		"campaign.pause":          "Pause",
		"campaign.resume":         "Resume",
		"campaign.cancel":         "Cancel sending",
		"campaign.retry":          "Retry failed sends",
		"campaign.done":           "Done.",
		"campaign.created":        "The draft was saved.",
		"campaign.numbers":        "Results",
		"campaign.live":           "Updates by itself while it sends.",
		"campaign.reload":         "Reload the page for what it can do now",
		"n.targeted":              "Targeted",
		"n.queued":                "Waiting",
		"n.sent":                  "Sent",
		"n.delivered":             "Delivered",
		"n.opened.human":          "Opened (people)",
		"n.opened.machine":        "Opened (machines)",
		"n.clicked.human":         "Clicked (people)",
		"n.clicked.machine":       "Clicked (scanners)",
		"n.unsubscribed":          "Unsubscribed",
		"n.bounced":               "Bounced",
		"n.complained":            "Complaints",
		"n.failed":                "Failed",
		"n.orders":                "Orders",
		"n.revenue":               "Revenue",
		"n.skipped":               "Skipped: %s",
		"n.variant":               "Variant %s",
		"n.holdout":               "Holdout",
		"n.lift":                  "Lift over the holdout: %s",
		"n.lift.none":             "Lift: the holdout has no orders yet.",
		"chart.funnel":            "From sent to ordered",
		"chart.time":              "Over time",
		"chart.time.none":         "Nothing sent yet.",
		"chart.time.alt":          "Sent, delivered, first opened and first clicked by people, by time:",
		"chart.time.point":        "%s: %s sent, %s delivered, %s opened, %s clicked",
		"chart.time.sample":       "From %s of its %s sends, read in an order that does not follow time.",
		"chart.funnel.alt":        "Sent %s, delivered %s, opened by people %s, clicked by people %s, orders %s.",
		"customers.title":         "Customers",
		"customers.import":        "Import contacts",
		"import.title":            "Import contacts",
		"import.help":             "A CSV file with a header row (id, email, firstName, lastName, locale, timezone, country, birthday, tags, consent.<topic>, consent.<topic>.source, consent.<topic>.at) or NDJSON, one contact per line. Importing the same file again changes nothing.",
		"import.file":             "File",
		"import.rows":             "Or paste the rows",
		"import.go":               "Import",
		"import.empty":            "Choose a file or paste some rows.",
		"import.done":             "%s imported, %s updated, %s unchanged, %s failed.",
		"import.row":              "Row %s",
		"surveys.unhappy":         "Unhappy customers",
		"surveys.unhappy.help":    "Detractors, low CSAT and hard CES answers nobody has followed up yet. Call or write to them, make it right, then mark them contacted.",
		"surveys.contact":         "Mark contacted",
		"surveys.contact.label":   "Mark %s as contacted",
		"surveys.contacted":       "Marked as contacted: it is on the customer's timeline.",
		"surveys.comments":        "Latest comments",
		"customers.search":        "Email address or customer id",
		"customers.find":          "Find",
		"customers.none":          "No customer with that address or id.",
		"customers.more":          "Next page",
		"loyalty.title":           "Loyalty",
		"loyalty.points":          "Points",
		"loyalty.tier":            "Tier",
		"loyalty.qualifying":      "Points in the last 12 months",
		"loyalty.next":            "%s more points in 12 months reach %s.",
		"loyalty.none":            "No points yet.",
		"loyalty.order":           "Order",
		"loyalty.entry":           "Entry",
		"loyalty.kind.earn":       "Earned",
		"loyalty.kind.cancel":     "Order cancelled",
		"loyalty.kind.refund":     "Refund",
		"tier.bronze":             "Bronze",
		"tier.silver":             "Silver",
		"tier.gold":               "Gold",
		"nav.retention":           "Retention",
		"retention.title":         "Retention",
		"retention.from":          "First orders from",
		"retention.to":            "Until (not included)",
		"retention.customers":     "New customers",
		"retention.repeat":        "Ordered again",
		"retention.median":        "Median days to a second order",
		"retention.atrisk":        "Customers at risk now",
		"retention.tiers":         "Customers by tier",
		"retention.winback":       "Win them back",
		"retention.winback.body":  "Customers at risk have not ordered for twice their usual time between orders, or for 90 days after a single order. A segment of them who take sales email is the audience of a win-back campaign.",
		"retention.winback.name":  "Customers at risk",
		"retention.winback.go":    "Preview the segment",
		"retention.cohorts":       "Cohorts by month of first order",
		"retention.cohorts.help":  "The share of each month's new customers who ordered again in the 1st, 2nd, 3rd… month after.",
		"retention.none":          "No customer placed a first order in this period.",
		"retention.month":         "Month",
		"retention.k":             "+%s",
		"segment.tier":            "Loyalty tier",
		"segment.atrisk":          "At risk of leaving",
		"draws.title":             "Prize draws",
		"draws.help":              "Each month's draw among the customers who ordered in it and take sales email. The seed's hash is published when the month begins and the list when it ends; an hour later the seed is revealed and decides the winner. Anyone can re-run a draw from its record: make verify-draw.",
		"draws.eligible":          "Eligible",
		"draws.winner":            "Winner",
		"draws.commitment":        "Seed's hash",
		"draws.status.open":       "Open",
		"draws.status.committed":  "List committed",
		"draws.status.drawn":      "Drawn",
		"surveys.next":            "What should we sell next?",
		"surveys.next.help":       "What customers asked for in their survey, per category of the order they answered about (an order of two categories counts in both); the newest first.",
		"surveys.next.nocat":      "Orders without a category",
		"surveys.next.count":      "%s ideas",
		"carts.title":             "Abandoned carts",
		"carts.help":              "Carts first reported in the period: left without an order until their reminder, reminded, and recovered (ordered after a reminder, from the cart or within 7 days of a click on it).",
		"carts.abandoned":         "Carts abandoned",
		"carts.reminded":          "Reminded",
		"carts.recovered":         "Recovered",
		"carts.rate":              "Recovery rate",
		"carts.revenue":           "Recovered revenue",
		"customer.title":          "Customer %s",
		"customer.profile":        "Profile",
		"customer.email":          "Email",
		"customer.locale":         "Language",
		"customer.timezone":       "Time zone",
		"customer.consent":        "Consent",
		"customer.suppressed":     "No email is sent to this address: %s",
		"customer.timeline":       "Timeline",
		"customer.older":          "Older",
		"customer.export":         "Export everything (JSON)",
		"customer.erase":          "Erase this customer",
		"customer.erase.title":    "Erase %s?",
		"customer.erase.body":     "Everything stored about this customer is deleted: profile, orders, emails, answers. Their address stays on the suppression list so they are never emailed again. This cannot be undone.",
		"customer.erase.confirm":  "Type the customer id to confirm",
		"customer.erase.go":       "Erase for ever",
		"customer.erased":         "The customer was erased.",
		"customer.erase.mismatch": "The id typed does not match: nothing was erased.",
		"on":                      "yes",
		"off":                     "no",
		"segments.title":          "Segments",
		"segments.none":           "No segments yet.",
		"segment.new":             "New segment",
		"segment.name":            "Segment name",
		"segment.rule":            "Who is in it (all of these)",
		"segment.consent":         "Consented to",
		"segment.any":             "Any",
		"segment.locale":          "Language (e.g. fa or en-US)",
		"segment.country":         "Country (e.g. IR)",
		"segment.tag":             "Tag",
		"segment.orders.min":      "At least this many orders",
		"segment.lastorder":       "Ordered within the last N days",
		"segment.engaged":         "Opened or clicked within the last N days",
		"segment.nps":             "Last NPS answer",
		"segment.nps.promoter":    "Promoter",
		"segment.nps.passive":     "Passive",
		"segment.nps.detractor":   "Detractor",
		"segment.preview":         "Count",
		"segment.save":            "Save segment",
		"segment.count":           "%s contacts match now.",
		"segment.sample":          "Some of them",
		"segment.saved":           "The segment was saved.",
		"segment.empty":           "Choose at least one condition.",
		"surveys.title":           "Surveys",
		"surveys.period":          "Period",
		"surveys.from":            "From",
		"surveys.to":              "To",
		"surveys.category":        "Product category",
		"surveys.locale":          "Language",
		"surveys.show":            "Show",
		"surveys.sent":            "Surveys sent",
		"surveys.answered":        "Answered",
		"surveys.rate":            "Response rate",
		"surveys.nps":             "NPS",
		"surveys.csat":            "CSAT (1-5)",
		"surveys.ces":             "CES (1-7, lower is easier)",
		"surveys.none":            "No answers in this period.",
		"surveys.split":           "Promoters %s, passives %s, detractors %s",
		"surveys.overtime":        "NPS over time",
		"surveys.overtime.alt":    "NPS over time: %s.",
		"surveys.split.alt":       "Of %s NPS answers: %s promoters, %s passives, %s detractors.",
		"occasions.title":         "Occasions",
		"occasions.on":            "On",
		"occasions.off":           "Off",
		"occasions.switch.on":     "Switch on",
		"occasions.switch.off":    "Switch off",
		"occasions.date":          "What goes out on",
		"occasions.show":          "Show",
		"occasions.rule":          "When",
		"occasions.nopromo":       "No promotion on this day",
		"occasions.day":           "On %s",
		"occasions.cards":         "%s: %s cards",
		"occasions.dayoff":        "Day without promotion: %s",
		"occasions.nothing":       "Nothing goes out on this day.",
		"occasions.changed":       "Saved.",
	},
	"fa": {
		"app":                     "ایمیل فروشگاه",
		"lang.name":               "فارسی",
		"lang.switch":             "English",
		"nav":                     "بخش‌ها",
		"nav.home":                "خانه",
		"nav.campaigns":           "کمپین‌ها",
		"nav.customers":           "مشتریان",
		"nav.segments":            "بخش‌بندی‌ها",
		"nav.surveys":             "نظرسنجی‌ها",
		"nav.occasions":           "مناسبت‌ها",
		"signout":                 "خروج",
		"signed.in":               "واردشده با %s",
		"signin.title":            "ورود",
		"signin.body":             "با حساب سازمانی خود وارد شوید تا کمپین بنویسید، مشتریان را پیدا کنید و نتایج را ببینید.",
		"signin.button":           "ورود",
		"signin.failed":           "ورود کامل نشد. لطفاً دوباره تلاش کنید.",
		"signin.unavailable":      "ورود اکنون ممکن نیست. لطفاً کمی بعد دوباره تلاش کنید.",
		"forbidden.title":         "مجاز نیست",
		"forbidden.body":          "این فرم از این داشبورد فرستاده نشده یا صفحه قدیمی است. چیزی تغییر نکرد: برگردید، صفحه را تازه کنید و دوباره تلاش کنید.",
		"scope.missing":           "حساب شما اجازهٔ این کار را ندارد: مجوز %s لازم است.",
		"notfound.title":          "پیدا نشد",
		"notfound.body":           "اینجا چیزی نیست. شاید حذف شده باشد.",
		"error.title":             "انجام نشد",
		"error.retry":             "مشکلی در سمت ما پیش آمد. چیزی از دست نرفت: کمی بعد دوباره تلاش کنید.",
		"home.title":              "خانه",
		"home.sending":            "در حال ارسال",
		"home.scheduled":          "ارسال‌های بعدی",
		"home.none.sending":       "چیزی در حال ارسال نیست.",
		"home.none.scheduled":     "چیزی زمان‌بندی نشده است.",
		"home.glance":             "۳۰ روز گذشته",
		"home.sent":               "ایمیل‌های ارسال‌شده",
		"home.opens":              "بازشدن‌ها (افراد)",
		"home.clicks":             "کلیک‌ها (افراد)",
		"home.orders":             "سفارش‌های منتسب",
		"home.revenue":            "درآمد منتسب",
		"home.nps":                "شاخص NPS",
		"home.new":                "کمپین تازه",
		"campaigns.title":         "کمپین‌ها",
		"campaigns.none":          "هنوز کمپینی نیست.",
		"campaigns.more":          "صفحهٔ بعد",
		"campaigns.all":           "همه",
		"col.name":                "نام",
		"col.status":              "وضعیت",
		"col.when":                "زمان",
		"col.sent":                "ارسال",
		"col.opens":               "بازشدن",
		"col.clicks":              "کلیک",
		"status.draft":            "پیش‌نویس",
		"status.scheduled":        "زمان‌بندی‌شده",
		"status.sending":          "در حال ارسال",
		"status.completed":        "پایان‌یافته",
		"status.paused":           "متوقف",
		"status.cancelled":        "لغوشده",
		"status.blocked":          "مسدود",
		"campaign.new":            "کمپین تازه",
		"campaign.edit":           "ویرایش",
		"campaign.save":           "ذخیرهٔ پیش‌نویس",
		"campaign.name":           "نام کمپین",
		"campaign.topic":          "نوع ایمیل",
		"topic.sales":             "حراج‌ها",
		"topic.news":              "خبرها",
		"topic.greetings":         "تبریک‌ها",
		"campaign.segment":        "ارسال به بخش",
		"campaign.segment.pick":   "یک بخش را انتخاب کنید",
		"campaign.recipients":     "%s نفر اکنون در این بخش هستند (رضایت و فهرست مسدود هنگام ارسال اعمال می‌شود).",
		"campaign.content":        "متن به %s",
		"campaign.subject":        "موضوع",
		"campaign.preheader":      "متن پیش‌نمایش",
		"campaign.headline":       "تیتر",
		"campaign.body":           "پیام (مارک‌داون)",
		"campaign.cta":            "دکمه",
		"campaign.cta.label":      "متن دکمه به %s",
		"campaign.cta.url":        "پیوند دکمه",
		"campaign.variantb":       "آزمون A/B: موضوع B به %s",
		"campaign.holdout":        "گروه کنترل (درصدی که چیزی دریافت نمی‌کنند، برای سنجش اثر)",
		"campaign.optional":       "اختیاری",
		"campaign.preview":        "پیش‌نمایش",
		"campaign.preview.live":   "پیش‌نمایش‌ها همراه نوشتن شما به‌روز می‌شوند؛ برای نگه‌داشتن، پیش‌نویس را ذخیره کنید.",
		"campaign.phone":          "%s در گوشی",
		"campaign.desktop":        "%s در رایانه",
		"campaign.dark":           "%s، حالت تیره",
		"campaign.problems":       "پیش از ارسال باید درست شود",
		"campaign.test":           "ارسال آزمایشی",
		"campaign.test.to":        "نشانی شما",
		"campaign.test.send":      "ارسال آزمایشی",
		"campaign.test.sent":      "ایمیل آزمایشی فرستاده شد.",
		"campaign.schedule":       "زمان‌بندی",
		"campaign.schedule.at":    "زمان ارسال (به وقت شما)",
		"campaign.schedule.now":   "همین حالا بفرست",
		"campaign.schedule.local": "در همین ساعت به وقت محلی هر مشتری",
		"campaign.schedule.go":    "زمان‌بندی",
		"campaign.pause":          "توقف",
		"campaign.resume":         "ادامه",
		"campaign.cancel":         "لغو ارسال",
		"campaign.retry":          "ارسال دوبارهٔ ناموفق‌ها",
		"campaign.done":           "انجام شد.",
		"campaign.created":        "پیش‌نویس ذخیره شد.",
		"campaign.numbers":        "نتایج",
		"campaign.live":           "در حین ارسال خودش به‌روز می‌شود.",
		"campaign.reload":         "برای کارهای ممکن، صفحه را تازه کنید",
		"n.targeted":              "هدف",
		"n.queued":                "در انتظار",
		"n.sent":                  "ارسال‌شده",
		"n.delivered":             "تحویل‌شده",
		"n.opened.human":          "بازشده (افراد)",
		"n.opened.machine":        "بازشده (ماشین‌ها)",
		"n.clicked.human":         "کلیک (افراد)",
		"n.clicked.machine":       "کلیک (اسکنرها)",
		"n.unsubscribed":          "لغو اشتراک",
		"n.bounced":               "برگشتی",
		"n.complained":            "شکایت",
		"n.failed":                "ناموفق",
		"n.orders":                "سفارش‌ها",
		"n.revenue":               "درآمد",
		"n.skipped":               "ردشده: %s",
		"n.variant":               "نسخهٔ %s",
		"n.holdout":               "گروه کنترل",
		"n.lift":                  "اثر نسبت به گروه کنترل: %s",
		"n.lift.none":             "اثر: گروه کنترل هنوز سفارشی ندارد.",
		"chart.funnel":            "از ارسال تا سفارش",
		"chart.time":              "در گذر زمان",
		"chart.time.none":         "هنوز چیزی ارسال نشده است.",
		"chart.time.alt":          "ارسال، تحویل، نخستین بازشدن و نخستین کلیک افراد، بر حسب زمان:",
		"chart.time.point":        "%s: %s ارسال، %s تحویل، %s بازشدن، %s کلیک",
		"chart.time.sample":       "از %s ارسال از %s ارسال آن، خوانده‌شده به ترتیبی که به زمان بستگی ندارد.",
		"chart.funnel.alt":        "ارسال %s، تحویل %s، بازشده توسط افراد %s، کلیک افراد %s، سفارش %s.",
		"customers.title":         "مشتریان",
		"customers.import":        "وارد کردن مخاطبان",
		"import.title":            "وارد کردن مخاطبان",
		"import.help":             "یک فایل CSV با سطر عنوان (id، email، firstName، lastName، locale، timezone، country، birthday، tags، consent.<topic>، consent.<topic>.source، consent.<topic>.at) یا NDJSON، هر مخاطب در یک سطر. وارد کردن دوبارهٔ همان فایل چیزی را تغییر نمی‌دهد.",
		"import.file":             "فایل",
		"import.rows":             "یا سطرها را اینجا بچسبانید",
		"import.go":               "وارد کن",
		"import.empty":            "یک فایل انتخاب کنید یا چند سطر بچسبانید.",
		"import.done":             "%s وارد شد، %s به‌روز شد، %s بی‌تغییر، %s ناموفق.",
		"import.row":              "سطر %s",
		"surveys.unhappy":         "مشتریان ناراضی",
		"surveys.unhappy.help":    "منتقدان و پاسخ‌های رضایت پایین یا سختی زیاد که هنوز کسی پیگیری‌شان نکرده. با آن‌ها تماس بگیرید، جبران کنید و بعد علامت بزنید.",
		"surveys.contact":         "تماس گرفته شد",
		"surveys.contact.label":   "علامت تماس برای %s",
		"surveys.contacted":       "علامت تماس ثبت شد: در رویدادهای مشتری دیده می‌شود.",
		"surveys.comments":        "تازه‌ترین نظرها",
		"customers.search":        "نشانی ایمیل یا شناسهٔ مشتری",
		"customers.find":          "جست‌وجو",
		"customers.none":          "مشتری‌ای با این نشانی یا شناسه نیست.",
		"customers.more":          "صفحهٔ بعد",
		"loyalty.title":           "باشگاه مشتریان",
		"loyalty.points":          "امتیاز",
		"loyalty.tier":            "سطح",
		"loyalty.qualifying":      "امتیاز ۱۲ ماه گذشته",
		"loyalty.next":            "با %s امتیاز دیگر در ۱۲ ماه به سطح %s می‌رسد.",
		"loyalty.none":            "هنوز امتیازی ندارد.",
		"loyalty.order":           "سفارش",
		"loyalty.entry":           "شرح",
		"loyalty.kind.earn":       "کسب امتیاز",
		"loyalty.kind.cancel":     "لغو سفارش",
		"loyalty.kind.refund":     "بازپرداخت",
		"tier.bronze":             "برنزی",
		"tier.silver":             "نقره‌ای",
		"tier.gold":               "طلایی",
		"nav.retention":           "ماندگاری",
		"retention.title":         "ماندگاری مشتریان",
		"retention.from":          "اولین خرید از",
		"retention.to":            "تا (بدون خودِ روز)",
		"retention.customers":     "مشتری تازه",
		"retention.repeat":        "دوباره خریدند",
		"retention.median":        "میانهٔ روزها تا خرید دوم",
		"retention.atrisk":        "مشتریان در خطر رفتن",
		"retention.tiers":         "مشتریان در هر سطح",
		"retention.winback":       "بازگرداندن آن‌ها",
		"retention.winback.body":  "مشتری در خطر کسی است که دو برابر فاصلهٔ همیشگی‌اش میان دو خرید، یا ۹۰ روز پس از تنها خریدش، خرید نکرده است. بخشی از آن‌ها که ایمیل حراج می‌پذیرند، مخاطب کارزار بازگشت است.",
		"retention.winback.name":  "مشتریان در خطر رفتن",
		"retention.winback.go":    "پیش‌نمایش این بخش",
		"retention.cohorts":       "گروه‌ها بر پایهٔ ماه اولین خرید",
		"retention.cohorts.help":  "سهم مشتریان تازهٔ هر ماه که در ماه اول، دوم، سوم… پس از آن دوباره خریدند.",
		"retention.none":          "در این بازه کسی اولین خریدش را نکرده است.",
		"retention.month":         "ماه",
		"retention.k":             "+%s",
		"segment.tier":            "سطح باشگاه",
		"segment.atrisk":          "در خطر رفتن",
		"draws.title":             "قرعه‌کشی‌ها",
		"draws.help":              "قرعه‌کشی هر ماه میان مشتریانی که در آن ماه خرید کردند و ایمیل حراج می‌پذیرند. چکیدهٔ دانه در آغاز ماه و فهرست در پایان آن منتشر می‌شود؛ یک ساعت بعد دانه آشکار می‌شود و برنده را تعیین می‌کند. هر کسی می‌تواند قرعه‌کشی را از روی سابقه‌اش دوباره اجرا کند: make verify-draw.",
		"draws.eligible":          "واجد شرایط",
		"draws.winner":            "برنده",
		"draws.commitment":        "چکیدهٔ دانه",
		"draws.status.open":       "باز",
		"draws.status.committed":  "فهرست ثبت شد",
		"draws.status.drawn":      "انجام شد",
		"surveys.next":            "بعد از این چه بفروشیم؟",
		"surveys.next.help":       "آنچه مشتریان در نظرسنجی خواسته‌اند، به تفکیک دستهٔ سفارشی که درباره‌اش پاسخ داده‌اند (سفارشی با دو دسته در هر دو شمرده می‌شود)؛ تازه‌ترها اول.",
		"surveys.next.nocat":      "سفارش‌های بی‌دسته",
		"surveys.next.count":      "%s پیشنهاد",
		"carts.title":             "سبدهای خرید رهاشده",
		"carts.help":              "سبدهایی که در این بازه گزارش شدند: تا زمان یادآوری بدون سفارش ماندند، یادآوری گرفتند، و بازگشتند (پس از یادآوری سفارش داده شدند، از همان سبد یا تا ۷ روز پس از کلیک روی یادآوری).",
		"carts.abandoned":         "سبدهای رهاشده",
		"carts.reminded":          "یادآوری‌شده",
		"carts.recovered":         "بازگشته",
		"carts.rate":              "نرخ بازگشت",
		"carts.revenue":           "درآمد بازگشته",
		"customer.title":          "مشتری %s",
		"customer.profile":        "مشخصات",
		"customer.email":          "ایمیل",
		"customer.locale":         "زبان",
		"customer.timezone":       "منطقهٔ زمانی",
		"customer.consent":        "رضایت",
		"customer.suppressed":     "به این نشانی ایمیلی فرستاده نمی‌شود: %s",
		"customer.timeline":       "رویدادها",
		"customer.older":          "قدیمی‌تر",
		"customer.export":         "دریافت همهٔ داده‌ها (JSON)",
		"customer.erase":          "پاک‌کردن این مشتری",
		"customer.erase.title":    "%s پاک شود؟",
		"customer.erase.body":     "هرچه دربارهٔ این مشتری ذخیره شده پاک می‌شود: مشخصات، سفارش‌ها، ایمیل‌ها، پاسخ‌ها. نشانی او در فهرست مسدود می‌ماند تا دیگر هرگز ایمیلی نگیرد. این کار برگشت‌پذیر نیست.",
		"customer.erase.confirm":  "برای تأیید، شناسهٔ مشتری را بنویسید",
		"customer.erase.go":       "پاک‌کردن برای همیشه",
		"customer.erased":         "مشتری پاک شد.",
		"customer.erase.mismatch": "شناسهٔ نوشته‌شده درست نیست: چیزی پاک نشد.",
		"on":                      "بله",
		"off":                     "خیر",
		"segments.title":          "بخش‌بندی‌ها",
		"segments.none":           "هنوز بخشی نیست.",
		"segment.new":             "بخش تازه",
		"segment.name":            "نام بخش",
		"segment.rule":            "چه کسانی در آن هستند (همهٔ این شرط‌ها)",
		"segment.consent":         "رضایت به",
		"segment.any":             "هرکدام",
		"segment.locale":          "زبان (مثلاً fa یا en-US)",
		"segment.country":         "کشور (مثلاً IR)",
		"segment.tag":             "برچسب",
		"segment.orders.min":      "دست‌کم این تعداد سفارش",
		"segment.lastorder":       "سفارش در N روز گذشته",
		"segment.engaged":         "بازکردن یا کلیک در N روز گذشته",
		"segment.nps":             "آخرین پاسخ NPS",
		"segment.nps.promoter":    "مروج",
		"segment.nps.passive":     "خنثی",
		"segment.nps.detractor":   "منتقد",
		"segment.preview":         "شمارش",
		"segment.save":            "ذخیرهٔ بخش",
		"segment.count":           "%s نفر اکنون با این شرط‌ها جورند.",
		"segment.sample":          "چند نفر از آن‌ها",
		"segment.saved":           "بخش ذخیره شد.",
		"segment.empty":           "دست‌کم یک شرط را انتخاب کنید.",
		"surveys.title":           "نظرسنجی‌ها",
		"surveys.period":          "بازه",
		"surveys.from":            "از",
		"surveys.to":              "تا",
		"surveys.category":        "دستهٔ کالا",
		"surveys.locale":          "زبان",
		"surveys.show":            "نمایش",
		"surveys.sent":            "نظرسنجی‌های ارسال‌شده",
		"surveys.answered":        "پاسخ‌داده",
		"surveys.rate":            "نرخ پاسخ",
		"surveys.nps":             "شاخص NPS",
		"surveys.csat":            "رضایت CSAT (۱ تا ۵)",
		"surveys.ces":             "سهولت CES (۱ تا ۷، کمتر آسان‌تر)",
		"surveys.none":            "در این بازه پاسخی نیست.",
		"surveys.split":           "مروج %s، خنثی %s، منتقد %s",
		"surveys.overtime":        "NPS در گذر زمان",
		"surveys.overtime.alt":    "NPS در گذر زمان: %s.",
		"surveys.split.alt":       "از %s پاسخ NPS: %s مروج، %s خنثی، %s منتقد.",
		"occasions.title":         "مناسبت‌ها",
		"occasions.on":            "روشن",
		"occasions.off":           "خاموش",
		"occasions.switch.on":     "روشن کن",
		"occasions.switch.off":    "خاموش کن",
		"occasions.date":          "چه چیزی فرستاده می‌شود در",
		"occasions.show":          "نمایش",
		"occasions.rule":          "زمان",
		"occasions.nopromo":       "در این روز تبلیغ نمی‌شود",
		"occasions.day":           "در %s",
		"occasions.cards":         "%s: %s کارت",
		"occasions.dayoff":        "روز بدون تبلیغ: %s",
		"occasions.nothing":       "در این روز چیزی فرستاده نمی‌شود.",
		"occasions.changed":       "ذخیره شد.",
	},
}

// Text is the dashboard's sentence for key in a language, as its pages write it (for tests
// that read the pages as a marketer does).
func Text(lang, key string, args ...any) string {
	return view{lang: lang, L: render.LocaleFor(lang, "UTC")}.T(key, args...)
}
