// JIT planning (pure): saved attributes + a WorkOS profile + the host's data model → what to write. Also the
// checks run when a rule is saved, and value coercion to the field's type.
import { describe, expect, it } from 'vitest';
import { coerce, relationOf, type DataModel } from '../../src/core/jit-model.ts';
import { checkSavedAttributes, checkSavedAttributesModel, planJit, usernameFor, type JitProfile } from '../../src/core/jit.ts';

const s = (name: string, type = 'String') => ({ name, kind: 'scalar', type });
const o = (name: string, type: string) => ({ name, kind: 'object', type });
const dm: DataModel = {
  models: {
    User: {
      fields: [
        s('id', 'Int'), s('username'), s('email'), s('passwordHash'), s('firstName'), s('lastName'), s('isActive', 'Boolean'), s('isStaff', 'Boolean'),
        s('lastLogin', 'DateTime'), s('createdAt', 'DateTime'), s('sessionVersion', 'Int'), o('groups', 'Group'), o('ssoIdentities', 'SsoIdentity'),
        o('profile', 'Profile'), s('locationId', 'Int'), o('location', 'Location'), o('emailAddresses', 'EmailAddress'),
      ],
    },
    Profile: { fields: [s('id', 'Int'), s('userId', 'Int'), o('user', 'User'), s('organizationName'), s('title'), s('employeeNumber', 'Int'), s('isManager', 'Boolean')] },
    Location: { fields: [s('id', 'Int'), s('locationId'), s('address'), o('users', 'User')] },
    EmailAddress: { fields: [s('id', 'Int'), s('userId', 'Int'), o('user', 'User'), s('address'), s('kind')] },
  },
};

const profile: JitProfile = {
  id: 'prof_01',
  idp_id: 'idp-ada',
  organization_id: 'org_acme',
  connection_id: 'conn_acme',
  connection_type: 'OktaSAML',
  email: 'Ada@Acme.test',
  first_name: 'Ada',
  last_name: 'Lovelace',
  raw_attributes: { org: "O'Brien & Co", loc: 'loc-1', emp: '42', manager: 'yes', evil: '{{ 7*7 }}' },
  custom_attributes: {},
  groups: ['Eng'],
  role: { slug: 'member' },
  roles: [{ slug: 'member' }],
};

const plan = (saved: Record<string, unknown>, mode: 'create' | 'update' = 'create', jitUsername: 'email' | 'idp_id' | 'id' = 'email') => {
  const result = planJit({ saved, profile, dataModel: dm, jitUsername, mode });
  if (!result.ok) throw new Error(result.reason);
  return result.plan;
};

describe('planJit', () => {
  it('creates the user from the profile with the configured username format', () => {
    expect(plan({}).user).toEqual({ username: 'Ada@Acme.test', email: 'Ada@Acme.test', firstName: 'Ada', lastName: 'Lovelace' });
    expect(plan({}, 'create', 'idp_id').user.username).toBe('idp-ada');
    expect(plan({}, 'create', 'id').user.username).toBe('prof_01');
    expect(usernameFor(profile, 'email')).toBe('Ada@Acme.test');
  });

  it('a username template wins, and falls back to the format when it renders nothing', () => {
    expect(plan({ username: '{{ profile.first_name | lower }}.{{ profile.last_name | lower }}' }).user.username).toBe('ada.lovelace');
    const empty = plan({ username: '{{ profile.raw_attributes.missing }}' });
    expect(empty.user.username).toBe('Ada@Acme.test');
    expect(empty.warnings[0]).toContain('username');
  });

  it('renders scalars verbatim and coerces them to the field type', () => {
    const p = plan({ isStaff: 'true', lastName: '{{ profile.raw_attributes.org }}', firstName: '{{ profile.raw_attributes.evil }}' });
    expect(p.user).toMatchObject({ isStaff: true, lastName: "O'Brien & Co", firstName: '{{ 7*7 }}' });
  });

  // Threat: saved attributes overwrite the library's own columns (password hash, session version, id).
  it('never writes protected or unknown fields', () => {
    const p = plan({ passwordHash: 'x', sessionVersion: 5, id: 9, lastLogin: '2020-01-01', nope: 'x', locationId: 3 });
    expect(p.user).toEqual({ username: 'Ada@Acme.test', email: 'Ada@Acme.test', firstName: 'Ada', lastName: 'Lovelace' });
    expect(p.warnings).toHaveLength(6);
  });

  it('plans a 1-1 record, a one-to-many list and a linked many-to-one record', () => {
    const p = plan({
      profile: { organizationName: '{{ profile.raw_attributes.org }}', employeeNumber: '{{ profile.raw_attributes.emp }}', isManager: '{{ profile.raw_attributes.manager }}' },
      emailAddresses: [{ address: '{{ profile.email | lower }}' }, { address: 'x@y.test', kind: 'home' }],
      '~location': { locationId: '{{ profile.raw_attributes.loc }}' },
      location: { address: '1 Main St' },
    });
    expect(p.oneToOne).toEqual([{ field: 'profile', model: 'Profile', data: { organizationName: "O'Brien & Co", employeeNumber: 42, isManager: true } }]);
    expect(p.lists).toEqual([{ field: 'emailAddresses', model: 'EmailAddress', items: [{ address: 'ada@acme.test' }, { address: 'x@y.test', kind: 'home' }] }]);
    expect(p.links).toEqual([{ field: 'location', model: 'Location', lookup: { locationId: 'loc-1' }, data: { address: '1 Main St' }, required: false }]);
  });

  it('a required link whose lookup renders nothing refuses the user; an optional one is skipped', () => {
    expect(planJit({ saved: { '!location': { locationId: '{{ profile.raw_attributes.missing }}' } }, profile, dataModel: dm, jitUsername: 'email', mode: 'create' })).toEqual({
      ok: false,
      reason: '!location: the lookup rendered no value',
    });
    const p = plan({ '~location': { locationId: '{{ profile.raw_attributes.missing }}' } });
    expect(p.links).toEqual([]);
    expect(p.warnings[0]).toContain('not linked');
  });

  it('update mode: names and email from the profile, only templated values, links re-evaluated, username kept', () => {
    const p = plan(
      {
        username: '{{ profile.idp_id }}',
        isStaff: true,
        title: 'x',
        profile: { organizationName: '{{ profile.raw_attributes.org }}', title: 'fixed' },
        location: { address: 'plain data' },
        '~location': { locationId: 'loc-1' },
        emailAddresses: [{ address: 'fixed@x.test' }],
      },
      'update',
    );
    expect(p.user).toEqual({ email: 'Ada@Acme.test', firstName: 'Ada', lastName: 'Lovelace' });
    expect(p.oneToOne).toEqual([{ field: 'profile', model: 'Profile', data: { organizationName: "O'Brien & Co" } }]);
    expect(p.links).toEqual([{ field: 'location', model: 'Location', lookup: { locationId: 'loc-1' }, data: { address: 'plain data' }, required: false }]);
    expect(p.lists).toEqual([]);
  });

  it('a list row whose templated fields all render nothing is not written', () => {
    const p = plan({ emailAddresses: [{ address: '{{ profile.raw_attributes.missing }}', kind: 'home' }, { address: '{{ profile.email }}' }] });
    expect(p.lists).toEqual([{ field: 'emailAddresses', model: 'EmailAddress', items: [{ address: 'Ada@Acme.test' }] }]);
    expect(p.warnings).toEqual(['emailAddresses.0: rendered no value; not written']);
  });

  it('update mode keeps names the IdP does not send', () => {
    const result = planJit({ saved: {}, profile: { ...profile, first_name: null, last_name: null }, dataModel: dm, jitUsername: 'email', mode: 'update' });
    expect(result.ok && result.plan.user).toEqual({ email: 'Ada@Acme.test' });
  });
});

describe('checkSavedAttributes (on rule save, no models needed)', () => {
  it('accepts the documented shapes', () => {
    expect(
      checkSavedAttributes({ isStaff: true, username: '{{profile.email}}', profile: { title: '{{profile.raw_attributes.title}}' }, '~location': { locationId: 'x' }, emailAddresses: [{ address: 'a' }] }),
    ).toEqual([]);
  });

  it('names each problem by path', () => {
    const issues = checkSavedAttributes({
      title: '{{ range(3) }}',
      profile: { title: '{{ profile.x | safe }}', nested: { deep: 1 } },
      '~location': {},
      '!location': { locationId: 'x' },
      'bad key': 1,
      username: 5,
      emailAddresses: [],
    });
    expect(issues).toEqual([
      { path: 'title', message: 'template function calls are not allowed' },
      { path: 'profile.title', message: expect.stringContaining('the filter "safe" is not allowed') },
      { path: 'profile.nested', message: 'related records are written one level deep only' },
      { path: '~location', message: 'give ~location or !location, not both' },
      { path: '~location', message: expect.stringContaining('with at least one field') },
      { path: '!location', message: 'give ~location or !location, not both' },
      { path: 'bad key', message: expect.stringContaining('is not a field name') },
      { path: 'username', message: expect.stringContaining('expected a template') },
      { path: 'emailAddresses', message: 'expected a list of objects' },
    ]);
  });
});

describe('checkSavedAttributesModel (on rule save, against the host models)', () => {
  it('refuses unknown and protected fields, wrong relation kinds and impossible literals', () => {
    const issues = checkSavedAttributesModel(
      {
        nope: 1,
        passwordHash: 'x',
        isStaff: 'maybe',
        groups: { name: 'x' },
        profile: { title: 'x', missing: 1, employeeNumber: 'many' },
        '~profile': { title: 'x' },
        location: [{ address: 'x' }],
        emailAddresses: [{ address: 'a', userId: 4 }],
      },
      dm,
    );
    expect(issues.map((i) => i.path)).toEqual(['nope', 'passwordHash', 'isStaff', 'groups', 'profile.missing', 'profile.employeeNumber', '~profile', 'location', 'emailAddresses.0.userId']);
    expect(issues[2]!.message).toBe('expected true/false, yes/no or 1/0 for Boolean field "isStaff"');
  });
});

describe('coerce', () => {
  const f = (type: string) => ({ name: 'f', kind: 'scalar', type });
  it.each([
    ['Boolean', 'YES', true],
    ['Boolean', 'off', false],
    ['Boolean', '1', true],
    ['Boolean', 0, false],
    ['Int', ' 42 ', 42],
    ['Int', 7, 7],
    ['Float', '2.5', 2.5],
    ['String', 12, '12'],
    ['String', false, 'false'],
  ])('%s from %j', (type, value, expected) => expect(coerce(f(type), value)).toEqual({ ok: true, value: expected }));

  it('dates, empties and failures', () => {
    expect(coerce(f('DateTime'), '2024-05-01T10:00:00Z')).toEqual({ ok: true, value: new Date('2024-05-01T10:00:00Z') });
    expect(coerce(f('Int'), '')).toEqual({ ok: true, skip: true });
    expect(coerce(f('Int'), '4.5')).toMatchObject({ ok: false });
    expect(coerce(f('Int'), '99999999999')).toMatchObject({ ok: false });
    expect(coerce(f('Boolean'), 'maybe')).toMatchObject({ ok: false });
    expect(coerce(f('DateTime'), 'soon')).toMatchObject({ ok: false });
  });

  it('infers relation kinds from the data model', () => {
    expect(relationOf(dm, 'User', 'location', {})?.kind).toBe('manyToOne');
    expect(relationOf(dm, 'User', 'profile', {})?.kind).toBe('oneToOne');
    expect(relationOf(dm, 'User', 'emailAddresses', [])?.kind).toBe('oneToMany');
    expect(relationOf(dm, 'User', 'email', {})).toBeNull();
  });
});
