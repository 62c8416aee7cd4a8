package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/models"
)

// Django's contrib models as Django declares them: Permission orders
// across its foreign key, FlatPage's join table has Django's column names.
type DjangoContentType struct {
	models.Model
	AppLabel string `pm:"max_length=100"`
	Name     string `pm:"column=model,max_length=100"`
}

func (DjangoContentType) Meta() models.Meta { return models.Meta{Table: "django_content_type"} }

type DjangoPermission struct {
	models.Model
	Name        string             `pm:"max_length=255"`
	ContentType *DjangoContentType `pm:"on_delete=CASCADE"`
	Codename    string             `pm:"max_length=100"`
}

func (DjangoPermission) Meta() models.Meta {
	return models.Meta{Table: "auth_permission", Ordering: []string{"content_type__app_label", "content_type__name", "codename"}}
}

type DjangoSite struct {
	models.Model
	Domain string `pm:"max_length=100,unique"`
}

func (DjangoSite) Meta() models.Meta {
	return models.Meta{Table: "django_site", Ordering: []string{"domain"}}
}

type DjangoFlatPage struct {
	models.Model
	URL   string        `pm:"column=url,max_length=100,index"`
	Sites []*DjangoSite `pm:"m2m,table=django_flatpage_sites,from_column=flatpage_id,to_column=site_id"`
}

func (DjangoFlatPage) Meta() models.Meta {
	return models.Meta{Table: "django_flatpage", Ordering: []string{"url"}}
}

// DjangoPermissionTypo orders across its foreign key by a field the target lacks.
type DjangoPermissionTypo struct {
	models.Model
	ContentType *DjangoContentType `pm:"on_delete=CASCADE"`
}

func (DjangoPermissionTypo) Meta() models.Meta {
	return models.Meta{Ordering: []string{"content_type__app"}}
}

// makemigrations takes Django's forms: an ordering across a relation and a
// join table with Django's column names, both written to the migration.
func TestMakemigrationsTakesDjangoForms(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	r := p.run(appsOf(DjangoContentType{}, DjangoPermission{}, DjangoSite{}, DjangoFlatPage{}), registry(), "", "makemigrations")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("makemigrations: exit %d, stderr %q", r.code, r.stderr)
	}
	src, err := os.ReadFile(filepath.Join(p.dir, "migrations", "0001_initial.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"content_type__app_label"`, `FromColumn: "flatpage_id"`, `ToColumn: "site_id"`} {
		if !strings.Contains(string(src), want) {
			t.Errorf("0001_initial.go lacks %s:\n%s", want, src)
		}
	}
}

// An ordering path to a field the target lacks stops makemigrations with
// pm.E031, before anything is written.
func TestMakemigrationsRefusesABadOrderingPath(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	r := p.run(appsOf(DjangoContentType{}, DjangoPermissionTypo{}), registry(), "", "makemigrations")
	if r.code != 1 || !strings.Contains(r.stderr, "cli.DjangoPermissionTypo.Meta: (pm.E031) Ordering names content_type__app, but cli.DjangoContentType has no field app") {
		t.Fatalf("makemigrations: exit %d, stderr %q", r.code, r.stderr)
	}
	if files := migrationFiles(t, p); len(files) != 0 {
		t.Fatalf("makemigrations wrote %v", files)
	}
}
