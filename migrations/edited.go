package migrations

import (
	"context"
	"fmt"
)

// Edited returns the applied migrations of g whose operations changed since
// they were applied (their checksum differs from the recorded one), in order.
func Edited(g *Graph, applied map[Key]Applied) []Key {
	var out []Key
	for _, m := range g.Order() {
		if a, ok := applied[m.Key()]; ok && a.Checksum != "" && a.Checksum != Checksum(m) {
			out = append(out, m.Key())
		}
	}
	return out
}

// checkEdited refuses a plan that passes over an edited migration: one it
// unapplies, or an applied ancestor of one it applies.
func checkEdited(g *Graph, plan []Step, applied map[Key]Applied, done map[Key]bool) error {
	edited := map[Key]bool{}
	for _, k := range Edited(g, applied) {
		edited[k] = true
	}
	if len(edited) == 0 {
		return nil
	}
	hit := map[Key]bool{}
	for _, s := range plan {
		k := s.Migration.Key()
		if s.Backwards {
			if edited[k] {
				hit[k] = true
			}
			continue
		}
		for _, a := range g.Ancestors(k) {
			if ak := a.Key(); edited[ak] && done[ak] {
				hit[ak] = true
			}
		}
	}
	if len(hit) == 0 {
		return nil
	}
	var keys []Key
	for _, m := range g.Order() {
		if hit[m.Key()] {
			keys = append(keys, m.Key())
		}
	}
	return &EditedError{Migrations: keys}
}

// acceptEdited records the current checksum of each accepted migration,
// which must be applied, and updates applied to match.
func (rn *runner) acceptEdited(ctx context.Context, applied map[Key]Applied, accept []Key) error {
	for _, k := range accept {
		m := rn.g.Migration(k)
		if m == nil {
			return fmt.Errorf("migrations: Options.AcceptEdited %s: no such migration", k)
		}
		a, ok := applied[k]
		if !ok {
			continue // a partial migration's edit is accepted when it is resumed
		}
		sum := Checksum(m)
		if a.Checksum == sum {
			continue
		}
		if err := rn.history.Accept(ctx, rn.conn, k, sum); err != nil {
			return err
		}
		a.Checksum = sum
		applied[k] = a
	}
	return nil
}
