package moderation

import (
	"strconv"
	"strings"

	"github.com/egressguard/egressguard/internal/apierr"
)

// Action is what the plugin does with a moderated request or completion.
type Action uint8

// Actions.
const (
	ActionAllow      Action = iota // forward / release unchanged
	ActionReject                   // input flagged: answer 403 JSON (Decision.Error), never forward
	ActionRefuse                   // output flagged: replace the completion with the refusal
	ActionFailClosed               // no verdict, fail_closed: input 503 JSON; output 503 or refusal (see package doc)
	ActionFailOpen                 // no verdict, fail_open: forward, with HeaderName: HeaderFailedOpen
)

var actionNames = [...]string{"allow", "reject", "refuse", "fail_closed", "fail_open"}

// String names the action for logs.
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "unknown"
}

// Response header set when moderation failed open (on the response to the client).
const (
	HeaderName       = "x-egressguard-moderation"
	HeaderFailedOpen = "failed-open"
)

// Outcomes: the metric label of a decision (counter
// egressguard_moderation_<stage>_total{outcome}).
const (
	OutcomePass           = "pass"            // moderated, not flagged
	OutcomeFlagged        = "flagged"         // flagged and enforced (rejected / refused)
	OutcomeMonitorFlagged = "monitor_flagged" // flagged, monitor mode: forwarded
	OutcomeFailedClosed   = "failed_closed"   // no verdict, refused
	OutcomeFailedOpen     = "failed_open"     // no verdict, forwarded
	OutcomeMonitorFailed  = "monitor_failed"  // no verdict, monitor mode: forwarded
)

// Decision is what to do after moderation and what to record.
type Decision struct {
	Stage  StageKind
	Action Action
	// Monitor: the stage is in monitor mode; Action is always Allow and Would is
	// what enforce mode would have done.
	Monitor bool
	Would   Action
	// Categories that flagged (sorted), for the error message and the log.
	Categories []string
	// Failure is set when there was no verdict; Failure.Reason.String() is the
	// metric label of egressguard_moderation_failures_total{stage,reason}.
	Failure *Failure
	// Outcome is the metric label (Outcome* constants).
	Outcome string
}

// Decide turns a verdict or a failure (f non-nil) into the stage's action,
// following its mode and failure policy. A stage that is off always allows (with
// outcome pass).
func (m *Moderator) Decide(stage StageKind, v Verdict, f *Failure) Decision {
	st := m.Stage(stage)
	d := Decision{Stage: stage, Monitor: st.Mode == ModeMonitor, Failure: f, Outcome: OutcomePass}
	if st.Mode == ModeOff {
		return d
	}
	switch {
	case f != nil:
		d.Would, d.Outcome = ActionFailClosed, OutcomeFailedClosed
		if st.Failure == FailOpen {
			d.Would, d.Outcome = ActionFailOpen, OutcomeFailedOpen
		}
	case v.Flagged:
		d.Categories = v.Categories
		d.Would, d.Outcome = ActionReject, OutcomeFlagged
		if stage == Output {
			d.Would = ActionRefuse
		}
	default:
		return d
	}
	if d.Monitor {
		d.Action = ActionAllow
		if f != nil {
			d.Outcome = OutcomeMonitorFailed
		} else {
			d.Outcome = OutcomeMonitorFlagged
		}
		return d
	}
	d.Action = d.Would
	return d
}

// Header is the response header to add (ok false: none): HeaderName:
// HeaderFailedOpen when moderation failed open.
func (d Decision) Header() (name, value string, ok bool) {
	if d.Action == ActionFailOpen {
		return HeaderName, HeaderFailedOpen, true
	}
	return "", "", false
}

// Error is the JSON error to answer with, nil when the action needs none:
// ActionReject gives 403 policy_violation "content_flagged" naming the categories
// (never content); ActionFailClosed gives 503 service_unavailable
// "moderation_unavailable".
func (d Decision) Error() *apierr.Error {
	switch d.Action {
	case ActionReject:
		return apierr.New(403, apierr.TypePolicy, "content_flagged",
			"the request was flagged by content moderation (categories: %s)", strings.Join(d.Categories, ", "))
	case ActionFailClosed:
		what := "the request was not forwarded"
		if d.Stage == Output {
			what = "the response was withheld"
		}
		return apierr.New(503, apierr.TypeUnavailable, "moderation_unavailable",
			"content moderation is unavailable; %s", what)
	}
	return nil
}

// LogLine is a one-line description without content, for the plugin's log
// ("" when there is nothing worth logging: a pass).
func (d Decision) LogLine(requestID string) string {
	if d.Outcome == OutcomePass {
		return ""
	}
	s := "egressguard: moderation request_id=" + requestID + " stage=" + d.Stage.String() + " outcome=" + d.Outcome +
		" action=" + d.Action.String()
	if len(d.Categories) > 0 {
		s += " categories=" + strings.Join(d.Categories, ",")
	}
	if d.Failure != nil {
		s += " reason=" + d.Failure.Reason.String()
		if d.Failure.Status != 0 {
			s += " status=" + strconv.Itoa(d.Failure.Status)
		}
	}
	return s
}
