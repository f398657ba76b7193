package config

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/tidwall/gjson"
)

// checkUnknownFields walks the JSON document alongside the Go type and reports the full
// path of the first key that the type does not declare. encoding/json's
// DisallowUnknownFields only names the key, not where it is.
func checkUnknownFields(data []byte, into any) error {
	if !gjson.ValidBytes(data) {
		return fmt.Errorf("configuration is not valid JSON")
	}
	root := gjson.ParseBytes(data)
	if !root.IsObject() {
		return fmt.Errorf("configuration must be a JSON object, got %s", root.Type)
	}
	return walkUnknown(root, reflect.TypeOf(into).Elem(), "")
}

func walkUnknown(v gjson.Result, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct && v.IsObject():
		return walkStruct(v, t, path)
	case t.Kind() == reflect.Map && v.IsObject():
		var err error
		v.ForEach(func(k, val gjson.Result) bool {
			err = walkUnknown(val, t.Elem(), fmt.Sprintf("%s[%q]", path, k.String()))
			return err == nil
		})
		return err
	case t.Kind() == reflect.Slice && v.IsArray():
		var err error
		for i, el := range v.Array() {
			if err = walkUnknown(el, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	return nil // scalars and type mismatches are reported by encoding/json
}

func walkStruct(v gjson.Result, t reflect.Type, path string) error {
	fields := map[string]reflect.Type{}
	var known []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			fields[name] = t.Field(i).Type
			known = append(known, name)
		}
	}
	var err error
	v.ForEach(func(k, val gjson.Result) bool {
		key := k.String()
		field := key
		if path != "" {
			field = path + "." + key
		}
		ft, ok := fields[key]
		if !ok {
			err = fmt.Errorf("%s: unknown field (known fields here: %s)", field, strings.Join(known, ", "))
			return false
		}
		err = walkUnknown(val, ft, field)
		return err == nil
	})
	return err
}
