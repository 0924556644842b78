"""Authentication and separation of duties to MLPS 2.0 level 3 (等保三级, domain-rules §12.1).

- `policy`: the password and lockout policy (versioned `AuthPolicy` rows, defaults from §12.1) and
  the password validator that reads it.
- `passwords`: setting and changing passwords (history, minimum and maximum age), audited.
- `lockout`: failures counted per account name and per source address in the database; a lock
  refuses even the right password until it expires or a security admin lifts it.
- `backends`: the authentication backend that applies the lockout to every password login
  (the web login and anything else that calls `authenticate()`).
- `totp` (pure RFC 4226/6238 maths) and `mfa` (enrolment, verification with replay protection,
  recovery codes, reset): the second factor, required for the three admin roles.
- `login`: the steps of one login (second factor, forced password change, completion), audited.
- `sessions`: idle and absolute session timeouts; the session markers a login leaves.
- `roles`: granting and revoking roles under the separation-of-duties rule below.
- `ratelimit`: fixed-window request counters in the database (used by the API).

Separation of duties (三员分立), enforced in `roles` and the services that check `may_*`:

- the system admin manages units, ordinary users and ordinary roles;
- the security admin manages the admin roles, the policy, lockouts and second-factor resets;
- the audit admin only reads the audit trail;
- no one grants or revokes their own roles, and one person holds at most one admin role;
- the audit trail is append-only for everyone, so no role can both change permissions and
  erase or edit the record of having done so.
"""
