package web

import "context"

func withCaller(ctx context.Context, c *caller) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}
