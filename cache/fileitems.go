package cache

import (
	"path/filepath"

	"github.com/99designs/keyring"
	"github.com/mtibben/percent"

	"github.com/awsmfa/awsmfa/internal/privdir"
)

// keyring's file backend reads an item with os.ReadFile, which follows a
// link and waits forever on a FIFO. Before an item is read, anything at its
// path that is not the user's own regular file is refused. (Set replaces
// the item by a rename, which follows nothing.)

// itemPath is where the file backend keeps key (its own file naming).
func (r fileRing) itemPath(key string) string {
	return filepath.Join(r.dir, percent.Encode(key, "/"))
}

func (r fileRing) Get(key string) (keyring.Item, error) {
	if err := privdir.CheckRegular(r.itemPath(key)); err != nil {
		return keyring.Item{}, err
	}
	return r.Keyring.Get(key)
}

func (r fileRing) GetMetadata(key string) (keyring.Metadata, error) {
	if err := privdir.CheckRegular(r.itemPath(key)); err != nil {
		return keyring.Metadata{}, err
	}
	return r.Keyring.GetMetadata(key)
}
