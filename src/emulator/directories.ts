// Directory Sync directories: each belongs to one organization and holds the users and groups a SCIM (or Google
// Workspace) provider pushes to WorkOS. Only events (directory-sync.ts) change them after start-up, so that every
// change the app could see was also sent to it as a webhook; readers get frozen snapshots.
import type { z } from 'zod';
import {
  type DirectoryGroupInput,
  type DirectorySyncInput,
  type DirectorySyncUserInput,
  directoryGroupSchema,
  directorySyncSchema,
  directorySyncUserSchema,
  parse,
} from './directory-schema.ts';
import { EmulatorConfigError } from './errors.ts';
import { stableId } from './ids.ts';

export type DirectoryUserState = 'active' | 'inactive';

export interface SyncDirectoryUser {
  /** `directory_user_…`, stable per directory and IdP id. */
  readonly id: string;
  readonly idpId: string;
  readonly email: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly state: DirectoryUserState;
  /** Names of the groups the user belongs to. */
  readonly groups: readonly string[];
  readonly role: string;
  readonly rawAttributes: Readonly<Record<string, unknown>>;
  readonly customAttributes: Readonly<Record<string, unknown>>;
  /** Epoch ms on the emulator's clock. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface SyncDirectoryGroup {
  /** `directory_group_…`, stable per directory and name. */
  readonly id: string;
  readonly idpId: string;
  readonly name: string;
  readonly createdAt: number;
}

export interface SyncDirectory {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly type: string;
  readonly groups: readonly SyncDirectoryGroup[];
  readonly users: readonly SyncDirectoryUser[];
}

/** What a `dsync.user.updated` may change. */
export interface DirectoryUserChanges {
  email?: string;
  firstName?: string | null;
  lastName?: string | null;
  state?: DirectoryUserState;
  role?: string;
  rawAttributes?: Record<string, unknown>;
  customAttributes?: Record<string, unknown>;
}

interface MutableDirectory {
  id: string;
  organizationId: string;
  name: string;
  type: string;
  groups: SyncDirectoryGroup[];
  users: SyncDirectoryUser[];
}

export class DirectoryStore {
  readonly #directories: MutableDirectory[] = [];

  constructor(
    private readonly now: () => number,
    private readonly organizationExists: (id: string) => boolean,
  ) {}

  list(): SyncDirectory[] {
    return this.#directories.map(snapshot);
  }

  get(id: string): SyncDirectory | undefined {
    const found = this.#directories.find((d) => d.id === id);
    return found && snapshot(found);
  }

  /** A member by IdP id, directory user id or email (ignoring case). */
  findUser(directoryId: string, ref: string): SyncDirectoryUser | undefined {
    return this.#directory(directoryId)?.users.find((u) => matchesUser(u, ref));
  }

  add(input: DirectorySyncInput, at: string): SyncDirectory {
    const d = parse(directorySyncSchema, input, 'directory', at) as z.output<typeof directorySyncSchema>;
    if (this.#directories.some((x) => x.id === d.id)) throw new EmulatorConfigError(`${at}.id: duplicate directory '${d.id}'`);
    if (!this.organizationExists(d.organizationId)) throw new EmulatorConfigError(`${at}.organizationId: unknown organization '${d.organizationId}'`);
    const directory: MutableDirectory = { id: d.id, organizationId: d.organizationId, name: d.name, type: d.type, groups: [], users: [] };
    d.groups.forEach((g, i) => this.#pushGroup(directory, g, `${at}.groups[${i}]`));
    d.users.forEach((u, i) => this.#pushUser(directory, u, `${at}.users[${i}]`));
    this.#directories.push(directory);
    return snapshot(directory);
  }

  /** Adds a member (a `dsync.user.created`). */
  addUser(directoryId: string, input: DirectorySyncUserInput, at = 'user'): SyncDirectoryUser {
    return this.#pushUser(this.#require(directoryId, at), input, at);
  }

  /** Applies `changes`; returns the user before and after (a `dsync.user.updated`). */
  updateUser(directoryId: string, ref: string, changes: DirectoryUserChanges): { before: SyncDirectoryUser; after: SyncDirectoryUser } {
    const directory = this.#require(directoryId, 'directoryId');
    const index = directory.users.findIndex((u) => matchesUser(u, ref));
    const before = directory.users[index];
    if (!before) throw unknownUser(directory, ref);
    const after: SyncDirectoryUser = Object.freeze({
      ...before,
      ...definedOnly(changes),
      rawAttributes: Object.freeze({ ...(changes.rawAttributes ?? before.rawAttributes) }),
      customAttributes: Object.freeze({ ...(changes.customAttributes ?? before.customAttributes) }),
      updatedAt: this.now(),
    });
    directory.users[index] = after;
    return { before, after };
  }

  /** Removes a member (a `dsync.user.deleted`); returns them as they were. */
  removeUser(directoryId: string, ref: string): SyncDirectoryUser {
    const directory = this.#require(directoryId, 'directoryId');
    const index = directory.users.findIndex((u) => matchesUser(u, ref));
    const user = directory.users[index];
    if (!user) throw unknownUser(directory, ref);
    directory.users.splice(index, 1);
    return user;
  }

  /** Adds or removes a group membership; returns the user and the group (a `dsync.group.user_added/removed`). */
  setMembership(directoryId: string, ref: string, groupName: string, member: boolean): { user: SyncDirectoryUser; group: SyncDirectoryGroup } {
    const directory = this.#require(directoryId, 'directoryId');
    const group = directory.groups.find((g) => g.name === groupName);
    if (!group) {
      throw new EmulatorConfigError(`group: directory '${directory.id}' has no group '${groupName}' (it has ${directory.groups.map((g) => `'${g.name}'`).join(', ') || 'none'})`);
    }
    const index = directory.users.findIndex((u) => matchesUser(u, ref));
    const current = directory.users[index];
    if (!current) throw unknownUser(directory, ref);
    const groups = member ? [...new Set([...current.groups, group.name])] : current.groups.filter((g) => g !== group.name);
    const user: SyncDirectoryUser = Object.freeze({ ...current, groups: Object.freeze(groups), updatedAt: this.now() });
    directory.users[index] = user;
    return { user, group };
  }

  #directory(id: string): MutableDirectory | undefined {
    return this.#directories.find((d) => d.id === id);
  }

  #require(id: string, at: string): MutableDirectory {
    const found = this.#directory(id);
    if (!found) throw new EmulatorConfigError(`${at}: unknown directory '${id}'`);
    return found;
  }

  #pushGroup(directory: MutableDirectory, input: DirectoryGroupInput, at: string): void {
    const g = parse(directoryGroupSchema, input, 'group', at);
    if (directory.groups.some((x) => x.name === g.name)) throw new EmulatorConfigError(`${at}.name: duplicate group '${g.name}' in directory '${directory.id}'`);
    directory.groups.push(Object.freeze({ id: stableId('directory_group', directory.id, g.name), idpId: g.idpId ?? stableId('grp', g.name), name: g.name, createdAt: this.now() }));
  }

  #pushUser(directory: MutableDirectory, input: DirectorySyncUserInput, at: string): SyncDirectoryUser {
    const u = parse(directorySyncUserSchema, input, 'user', at);
    const idpId = u.idpId ?? stableId('idp', u.email.toLowerCase());
    if (directory.users.some((x) => x.idpId === idpId)) throw new EmulatorConfigError(`${at}.idpId: duplicate idpId '${idpId}' in directory '${directory.id}'`);
    if (directory.users.some((x) => x.email.toLowerCase() === u.email.toLowerCase())) {
      throw new EmulatorConfigError(`${at}.email: duplicate email '${u.email}' in directory '${directory.id}'`);
    }
    const unknown = (u.groups ?? []).filter((name) => !directory.groups.some((g) => g.name === name));
    if (unknown.length > 0) throw new EmulatorConfigError(`${at}.groups: unknown group(s) ${unknown.map((n) => `'${n}'`).join(', ')} in directory '${directory.id}'`);
    const now = this.now();
    const user: SyncDirectoryUser = Object.freeze({
      id: stableId('directory_user', directory.id, idpId),
      idpId,
      email: u.email,
      firstName: u.firstName ?? null,
      lastName: u.lastName ?? null,
      state: u.state ?? 'active',
      groups: Object.freeze([...new Set(u.groups ?? [])]),
      role: u.role ?? 'member',
      rawAttributes: Object.freeze({ ...u.rawAttributes }),
      customAttributes: Object.freeze({ ...u.customAttributes }),
      createdAt: now,
      updatedAt: now,
    });
    directory.users.push(user);
    return user;
  }
}

function matchesUser(user: SyncDirectoryUser, ref: string): boolean {
  return user.idpId === ref || user.id === ref || user.email.toLowerCase() === ref.toLowerCase();
}

function unknownUser(directory: MutableDirectory, ref: string): EmulatorConfigError {
  return new EmulatorConfigError(`user: directory '${directory.id}' has no user '${ref}' (give an email, an idpId or a directory user id)`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function snapshot(d: MutableDirectory): SyncDirectory {
  return Object.freeze({ ...d, groups: Object.freeze([...d.groups]), users: Object.freeze([...d.users]) });
}
