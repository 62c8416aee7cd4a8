// Command djangoproject writes the Django 3.2 project that matches a
// bench/genproject project: the same models and the same migration history
// (internal/synth), as Django models and migration files, so the two tools
// can be timed side by side on equal input.
//
//	go run ./bench/djangoproject -models 500 -migrations 1000 -out /tmp/d500
//	cd /tmp/d500 && python3 manage.py makemigrations --check --dry-run
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pmanager/pmanager/internal/synth"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

func main() {
	var s synth.Size
	out := flag.String("out", "", "folder to write the Django project to (must not exist, or be empty)")
	flag.IntVar(&s.Models, "models", 50, "number of models")
	flag.IntVar(&s.Fields, "fields", 10, "fields per model in the initial migration, besides the key")
	flag.IntVar(&s.Migrations, "migrations", 50, "migrations in the history, the initial one included")
	flag.Int64Var(&s.Seed, "seed", 1, "seed of the random choices (as genproject's)")
	flag.Parse()
	if err := run(s, *out); err != nil {
		fmt.Fprintf(os.Stderr, "djangoproject: %v\n", err)
		os.Exit(1)
	}
}

func run(s synth.Size, out string) error {
	if out == "" {
		return fmt.Errorf("-out is required")
	}
	hist := synth.History(s)
	g, err := migrations.NewGraph(hist)
	if err != nil {
		return err
	}
	final, err := g.State()
	if err != nil {
		return err
	}
	files := map[string]string{
		"manage.py":                   "import os, sys\n\nif __name__ == \"__main__\":\n    os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"settings\")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n",
		"settings.py":                 "SECRET_KEY = \"bench\"\nINSTALLED_APPS = [\"main\"]\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": \"django.db\"}}\nDEFAULT_AUTO_FIELD = \"django.db.models.BigAutoField\"\nUSE_TZ = True\n",
		"main/__init__.py":            "",
		"main/migrations/__init__.py": "",
	}
	var models bytes.Buffer
	models.WriteString("import decimal\n\nfrom django.db import models\n")
	for _, m := range final.App(synth.App) {
		fmt.Fprintf(&models, "\n\nclass %s(models.Model):\n", m.Name)
		for _, f := range m.Fields {
			if f.PrimaryKey {
				continue
			}
			fmt.Fprintf(&models, "    %s = %s\n", f.Name, djangoField(f))
		}
		fmt.Fprintf(&models, "\n    class Meta:\n        db_table = %q\n", m.Table)
		if len(m.Indexes) > 0 {
			models.WriteString("        indexes = [\n")
			for _, ix := range m.Indexes {
				fmt.Fprintf(&models, "            %s,\n", djangoIndex(ix))
			}
			models.WriteString("        ]\n")
		}
	}
	files["main/models.py"] = models.String()
	for _, m := range hist {
		src, err := djangoMigration(m)
		if err != nil {
			return err
		}
		files["main/migrations/"+m.Name+".py"] = src
	}
	for name, src := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// djangoField spells a field as Django's models.py and migrations do.
func djangoField(f *state.Field) string {
	var args []string
	kind := ""
	switch f.Kind {
	case state.Char:
		kind = "CharField"
		args = append(args, fmt.Sprintf("max_length=%d", f.MaxLength))
	case state.Text:
		kind = "TextField"
	case state.BigInteger:
		kind = "BigIntegerField"
	case state.Integer:
		kind = "IntegerField"
	case state.Boolean:
		kind = "BooleanField"
	case state.DateTime:
		kind = "DateTimeField"
	case state.Decimal:
		kind = "DecimalField"
		args = append(args, fmt.Sprintf("max_digits=%d", f.MaxDigits), fmt.Sprintf("decimal_places=%d", f.DecimalPlaces))
	case state.ForeignKey:
		_, to := state.SplitLabel(synth.App, f.Relation.To)
		kind = "ForeignKey"
		args = append(args, fmt.Sprintf("to=%q", synth.App+"."+strings.ToLower(to)), "on_delete=models.SET_NULL", "related_name=\"+\"")
	default:
		panic("djangoproject: no Django field for kind " + string(f.Kind))
	}
	if f.Blank {
		args = append(args, "blank=True")
	}
	if f.Null {
		args = append(args, "null=True")
	}
	if f.Unique {
		args = append(args, "unique=True")
	}
	if f.Default != nil {
		switch f.Kind {
		case state.Boolean:
			args = append(args, "default="+map[string]string{"true": "True", "false": "False"}[*f.Default])
		case state.Decimal:
			args = append(args, fmt.Sprintf("default=decimal.Decimal(%q)", *f.Default))
		case state.Integer, state.BigInteger:
			args = append(args, "default="+*f.Default)
		default:
			args = append(args, fmt.Sprintf("default=%q", *f.Default))
		}
	}
	return "models." + kind + "(" + strings.Join(args, ", ") + ")"
}

func djangoIndex(ix state.Index) string {
	fields := make([]string, len(ix.Fields))
	for i, f := range ix.Fields {
		fields[i] = fmt.Sprintf("%q", f)
	}
	return fmt.Sprintf("models.Index(fields=[%s], name=%q)", strings.Join(fields, ", "), ix.Name)
}

// djangoMigration writes one migration of the history as a Django file.
func djangoMigration(m *migrations.Migration) (string, error) {
	var b bytes.Buffer
	b.WriteString("import decimal\n\nfrom django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n")
	if m.Initial {
		b.WriteString("    initial = True\n")
	}
	b.WriteString("    dependencies = [")
	for _, d := range m.Dependencies {
		fmt.Fprintf(&b, "(%q, %q), ", d.App, d.Name)
	}
	b.WriteString("]\n    operations = [\n")
	for _, op := range m.Operations {
		switch o := op.(type) {
		case operations.CreateModel:
			fmt.Fprintf(&b, "        migrations.CreateModel(\n            name=%q,\n            fields=[\n", o.Name)
			for _, f := range o.Fields {
				if f.PrimaryKey {
					fmt.Fprintf(&b, "                (\"id\", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name=\"ID\")),\n")
					continue
				}
				fmt.Fprintf(&b, "                (%q, %s),\n", f.Name, djangoField(f))
			}
			fmt.Fprintf(&b, "            ],\n            options={\"db_table\": %q},\n        ),\n", o.Table)
		case operations.AddField:
			fmt.Fprintf(&b, "        migrations.AddField(model_name=%q, name=%q, field=%s),\n", strings.ToLower(o.Model), o.Field.Name, djangoField(o.Field))
		case operations.AlterField:
			fmt.Fprintf(&b, "        migrations.AlterField(model_name=%q, name=%q, field=%s),\n", strings.ToLower(o.Model), o.Name, djangoField(o.Field))
		case operations.AddIndex:
			fmt.Fprintf(&b, "        migrations.AddIndex(model_name=%q, index=%s),\n", strings.ToLower(o.Model), djangoIndex(o.Index))
		default:
			return "", fmt.Errorf("no Django operation for %T", op)
		}
	}
	b.WriteString("    ]\n")
	return b.String(), nil
}
