package cart

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/order"
)

// Planner plans and stops reminders from the shop's events (the carts function).
type Planner struct {
	Config    Config
	Store     Store
	Scheduler Scheduler
	Now       func() time.Time
}

// Updated records a cart report (`Checkout Started` or `Cart Updated`) and schedules its
// reminders from its update time; the schedules of the report it replaces are deleted (should
// one fire anyway, it finds the cart changed and sends nothing). An older report changes
// nothing; a replayed one schedules the same schedules again (a retry after a failure to
// schedule), which send nothing twice; a report without items empties the cart, which stops its
// reminders.
func (p *Planner) Updated(ctx context.Context, oc order.Cart) error {
	now := p.Now().UTC()
	if oc.UpdatedAt.After(now) {
		oc.UpdatedAt = now // a shop's clock must not push reminders out
	}
	ct, err := p.Store.UpdateContact(ctx, oc.Customer.ID, func(c *contact.Contact) bool {
		return c.Apply(contact.Observation{At: oc.UpdatedAt, Source: "cart " + oc.ID, Customer: oc.Customer})
	})
	if err != nil {
		return fmt.Errorf("contact of cart %s: %w", oc.ID, err)
	}
	c := Cart{Cart: oc, Status: Open, FirstAt: oc.UpdatedAt}
	switch {
	case len(oc.Items) == 0:
		c.Status = Emptied
	case !ct.Summary.LastOrderAt.IsZero() && !ct.Summary.LastOrderAt.Before(oc.UpdatedAt):
		c.Status = Ordered // reported after the customer's order that followed it (out of order)
	}
	before, saved, err := p.Store.SaveCart(ctx, c)
	if err != nil || !saved {
		return err
	}
	if before.ID != "" && !before.UpdatedAt.Equal(c.UpdatedAt) {
		if err := p.unschedule(ctx, before); err != nil {
			return err
		}
	}
	if c.Status != Open {
		return nil
	}
	for _, step := range p.Config.steps() {
		d := Due{ContactID: oc.Customer.ID, CartID: oc.ID, UpdatedAt: oc.UpdatedAt, Step: step}
		in, _ := json.Marshal(d)
		if err := p.Scheduler.At(ctx, scheduleName(d), p.Config.remindAt(oc.UpdatedAt, step, oc.Customer.Timezone), in); err != nil {
			return fmt.Errorf("schedule reminder %d of cart %s: %w", step, oc.ID, err)
		}
	}
	return nil
}

// unschedule deletes the reminders planned from a stored report of a cart.
func (p *Planner) unschedule(ctx context.Context, c Cart) error {
	for _, step := range []int{1, 2} {
		if err := p.Scheduler.Delete(ctx, scheduleName(Due{ContactID: c.Customer.ID, CartID: c.ID, UpdatedAt: c.UpdatedAt, Step: step})); err != nil {
			return fmt.Errorf("delete reminder %d of cart %s: %w", step, c.ID, err)
		}
	}
	return nil
}

// Placed closes the carts an order comes from: the cart it names (cartId), else every open
// cart of its customer last updated before it was placed. A closed cart gets no reminder; it
// counts as recovered when a reminder was sent before and the order names it, or the customer
// clicked a reminder within the recovery window before the order.
func (p *Planner) Placed(ctx context.Context, o order.Order) error {
	var carts []Cart
	if o.CartID != "" {
		c, found, err := p.Store.Cart(ctx, o.Customer.ID, o.CartID)
		if err != nil {
			return err
		}
		if !found { // the order came first (out of order): the cart's late reports find it closed
			_, _, err := p.Store.SaveCart(ctx, Cart{Cart: order.Cart{ID: o.CartID, Customer: o.Customer, Currency: o.Currency, UpdatedAt: o.PlacedAt},
				Status: Ordered, FirstAt: o.PlacedAt, OrderID: o.ID, Revenue: o.Total, RevenueCurrency: o.Currency})
			return err
		}
		if c.Status == Open {
			carts = append(carts, c)
		}
	} else {
		open, err := p.Store.OpenCarts(ctx, o.Customer.ID)
		if err != nil {
			return err
		}
		for _, c := range open {
			if !c.UpdatedAt.After(o.PlacedAt) {
				carts = append(carts, c)
			}
		}
	}
	// The reminder's and the click's times are ours; the order's is the shop's: they are
	// compared with the time the order reached us, so that the two clocks never disagree.
	now := p.Now().UTC()
	for _, c := range carts {
		recovered := false
		if c.Reminded > 0 && o.CartID == c.ID {
			recovered = true
		} else if c.Reminded > 0 {
			clicked, err := p.Store.ClickedAt(ctx, c.Customer.ID, c.ID)
			if err != nil {
				return err
			}
			recovered = !clicked.IsZero() && now.Sub(clicked) <= p.Config.RecoveryWindow
		}
		c.Status, c.OrderID, c.Revenue, c.RevenueCurrency, c.Recovered = Ordered, o.ID, o.Total, o.Currency, recovered
		if _, err := p.Store.CloseCart(ctx, c); err != nil {
			return err
		}
		if err := p.unschedule(ctx, c); err != nil {
			return err
		}
	}
	return nil
}
