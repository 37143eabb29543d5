package elyzor

import (
	"encoding/json"
	"fmt"
)

// Codes of the failures that never reached an answer (Status 0), and of an answer that is not
// Elyzor's JSON. The others are the server's error catalogue: not_found, validation_error,
// unauthorized, already_revoked, …
const (
	CodeConnectionError = "connection_error"
	CodeTimeout         = "timeout"
	CodeInvalidResponse = "invalid_response"
)

// Error is the one error the client returns for a call that did not succeed; take it with
// errors.As. A refused verification is not an error: Verify returns it as a VerifyResult.
type Error struct {
	// Status is the HTTP status; 0 when there was no answer.
	Status int
	// Code is the catalogue's code, or CodeConnectionError, CodeTimeout, CodeInvalidResponse.
	Code    string
	Message string
	// RequestID is the server's request id (X-Request-Id), for its logs; "" without an answer.
	RequestID string
	// RetryAfter is the seconds the server asked to wait (Retry-After), 0 when it did not say.
	RetryAfter int
	// Body is the answer's body (e.g. a validation error's details).
	Body json.RawMessage
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("elyzor: %s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("elyzor: %d %s: %s", e.Status, e.Code, e.Message)
}
