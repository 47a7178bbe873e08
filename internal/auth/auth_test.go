package auth

import "testing"

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse") || CheckPassword(h, "correct hors") || CheckPassword("garbage", "x") {
		t.Fatal("CheckPassword disagrees with HashPassword")
	}
	h2, _ := HashPassword("correct horse")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
}

func TestRolePermissions(t *testing.T) {
	if !Can(RoleDispatcher, PermPersonalData) || Can(RoleLeader, PermPersonalData) || Can(RoleResident, PermGridsRead) {
		t.Fatal("personal-data and grid permissions are not as documented")
	}
	for _, r := range Roles {
		if len(rolePerms[r.Code]) == 0 {
			t.Errorf("role %s has no permissions", r.Code)
		}
	}
}
