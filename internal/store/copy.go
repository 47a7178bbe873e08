package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// InCopyTx is InTx whose transaction can also write with PostgreSQL's COPY protocol
// (Tx.CopyFrom): it runs on a connection of its own, which CopyFrom reaches below
// database/sql. On SQLite it is InTx.
func (db *DB) InCopyTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.dialect != Postgres {
		return db.inTx(ctx, nil, fn)
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer conn.Close()
	return db.inTx(ctx, conn, fn)
}

// CanCopy reports whether CopyFrom works in this transaction: PostgreSQL, begun by InCopyTx.
func (t *Tx) CanCopy() bool { return t.conn != nil }

// CopyFrom writes rows into table's columns cols with COPY … FROM STDIN (binary), inside the
// transaction: one statement however many rows, each value sent in its binary form. A value the
// database refuses fails the whole COPY and, as any failed statement, the transaction. table is
// resolved through the connection's search_path.
func (t *Tx) CopyFrom(ctx context.Context, table string, cols []string, rows pgx.CopyFromSource) (int64, error) {
	if t.conn == nil {
		return 0, errors.New("copy: the transaction was not begun by InCopyTx on PostgreSQL")
	}
	var n int64
	err := t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy: driver connection %T is not pgx", dc)
		}
		var err error
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, rows)
		return err
	})
	return n, err
}
