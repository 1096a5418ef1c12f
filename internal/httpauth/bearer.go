// Package httpauth reads the credentials of HTTP requests the way every
// endpoint of careersbot must: the admin reload and the insights page.
package httpauth

import "strings"

// BearerToken is the token of an Authorization header in the Bearer
// scheme, whose name is case-insensitive (RFC 9110 section 11.1): "Bearer",
// "bearer" and "BEARER" are one scheme.
func BearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
