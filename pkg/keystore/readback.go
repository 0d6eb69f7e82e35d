package keystore

// checkWritten is the read-back of WriteFileContext: data, as written to
// the temporary file, must decode with the password to the entries of
// want (Compare).
func checkWritten(want *Store, data []byte, opts EncodeOptions) error {
	got, err := Decode(data, DecodeOptions{Password: opts.Password})
	if err != nil {
		return err
	}
	return Compare(want, got)
}
