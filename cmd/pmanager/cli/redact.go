package cli

import (
	"io"
	"strings"
	"sync"

	"github.com/pmanager/pmanager/pkg/schema/connect/dsn"
)

// minMaskedSecret is the shortest secret masked wherever it appears in
// output. The connection strings themselves are always printed redacted;
// this net catches what a driver or a later message might echo, and a
// shorter password would mask ordinary words of the output.
const minMaskedSecret = 4

// secrets is what the session knows must never be printed: the passwords
// and other secret values of every connection string it has read.
type secrets struct {
	mu   sync.Mutex
	vals map[string]bool
}

// remember records the secrets of the connection string raw.
func (ss *secrets) remember(raw string) {
	if raw == "" {
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.vals == nil {
		ss.vals = map[string]bool{}
	}
	for _, v := range dsn.Secrets(raw) {
		if len(v) >= minMaskedSecret {
			ss.vals[v] = true
		}
	}
}

// mask replaces every remembered secret in text, longest first.
func (ss *secrets) mask(text string) string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if len(ss.vals) == 0 {
		return text
	}
	list := make([]string, 0, len(ss.vals))
	for v := range ss.vals {
		list = append(list, v)
	}
	// Longer first, so a secret holding another is masked whole.
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && len(list[j]) > len(list[j-1]); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
	for _, v := range list {
		text = strings.ReplaceAll(text, v, dsn.Mask)
	}
	return text
}

// maskingWriter writes through to w with every secret of ss masked, so no
// message, whichever path printed it, can show a password.
type maskingWriter struct {
	w  io.Writer
	ss *secrets
}

// Write implements io.Writer; it reports len(p) written when the masked
// text was written whole.
func (m maskingWriter) Write(p []byte) (int, error) {
	masked := m.ss.mask(string(p))
	if _, err := io.WriteString(m.w, masked); err != nil {
		return 0, err
	}
	return len(p), nil
}
