/**
 * Profiles and the one table that maps a client's protocol version (connect header bytes 1–2,
 * PROTOCOL.md §2, §4.3) to the layouts it reads. The server picks each connection's profile with
 * {@link profileForProtocolVersion} unless a profile is forced; the client sends the protocol
 * version of the profile it speaks.
 */
import { UsageError } from '../errors.js';
import { DEPRECATED_PROFILE_ALIASES, PROFILES, type Profile, type ProfileName, type ProfileSetting } from './notification.js';

/** What a profile stands for. */
export interface ProfileInfo {
  readonly profile: Profile;
  /** The NSO release whose client libraries read these layouts (`5.7`, `6.2`, `6.6`). */
  readonly nso: string;
  /** The protocol version those libraries send in the connect header (§2). */
  readonly protocolVersion: number;
  /** Their library version, ConfD-numbered (bytes 3–6 of the header). */
  readonly libraryVersion: number;
  /**
   * `verified`: every layout was fed to the real libraries (5.7.1: PROTOCOL.md's [V57]; 6.2.5:
   * NSO62.md). `inferred`: taken from API documentation, never run against the real library.
   */
  readonly status: 'verified' | 'inferred';
}

/**
 * Every profile. NSO 6.6's protocol version is not known (no 6.6 library was run): 86 is a
 * placeholder the TypeScript client sends when asked to speak 6.6, above every known version, so
 * a mock picks its newest verified profile for it unless `nso66` is forced.
 */
export const PROFILE_INFO: Readonly<Record<Profile, ProfileInfo>> = Object.freeze({
  nso57: { profile: 'nso57', nso: '5.7', protocolVersion: 77, libraryVersion: 0x07070100, status: 'verified' },
  nso62: { profile: 'nso62', nso: '6.2', protocolVersion: 82, libraryVersion: 0x08020500, status: 'verified' },
  nso66: { profile: 'nso66', nso: '6.6', protocolVersion: 86, libraryVersion: 0x08060000, status: 'inferred' },
});

/**
 * The known protocol versions (§2) and their profiles — the one table. 77: NSO 5.7.1 / ConfD
 * 7.7.1 [V57]; 82: NSO 6.2.5 (NSO62.md §A, `client.connect_header`). Nothing else was observed.
 */
export const PROTOCOL_VERSION_PROFILES: ReadonlyMap<number, Profile> = new Map([
  [77, 'nso57'],
  [82, 'nso62'],
]);

/** The newest verified profile: what a client newer than every known version gets. */
export const NEWEST_VERIFIED_PROFILE: Profile = 'nso62';

/** A profile chosen for a protocol version, and why. */
export interface ProfileChoice {
  readonly profile: Profile;
  /**
   * `known`: the version is in the table; `newer`: above every known version (newest verified
   * profile); `older`: an unknown version below the newest known one (nso57, whose layouts the
   * older 5.x libraries share).
   */
  readonly basis: 'known' | 'newer' | 'older';
  /** One line for the log when the version was not in the table; undefined when it was. */
  readonly note?: string;
}

const NEWEST_KNOWN = Math.max(...PROTOCOL_VERSION_PROFILES.keys());

/**
 * The profile for a client's protocol version: 77 → nso57; 82 → nso62; above every known version
 * → the newest verified profile (nso62), with a note; any other (unknown, lower) → nso57, with a
 * note. NSO 5.x libraries before 5.7 share the 5.7 layouts; versions between 77 and 82 (NSO 5.8 to
 * 6.1) were never observed, so they get the 5.7 layouts too and the note says so.
 * @example profileForProtocolVersion(82) // { profile: 'nso62', basis: 'known' }
 */
export function profileForProtocolVersion(protocolVersion: number): ProfileChoice {
  const known = PROTOCOL_VERSION_PROFILES.get(protocolVersion);
  if (known !== undefined) return { profile: known, basis: 'known' };
  if (protocolVersion > NEWEST_KNOWN) {
    return {
      profile: NEWEST_VERIFIED_PROFILE,
      basis: 'newer',
      note: `client protocol version ${protocolVersion} is newer than every known one (${NEWEST_KNOWN}, NSO ${PROFILE_INFO[NEWEST_VERIFIED_PROFILE].nso}): using profile ${NEWEST_VERIFIED_PROFILE}, the newest verified`,
    };
  }
  return {
    profile: 'nso57',
    basis: 'older',
    note: `client protocol version ${protocolVersion} is unknown (known: ${[...PROTOCOL_VERSION_PROFILES.keys()].join(', ')}): using profile nso57, the layouts of NSO 5.x`,
  };
}

/**
 * A profile name as written by a user → the profile (`nso6x` → `nso66`).
 * @throws UsageError `NSOMOCK_USAGE` for an unknown name
 * @example resolveProfile('nso6x') // 'nso66'
 */
export function resolveProfile(name: ProfileName | string): Profile {
  if ((PROFILES as readonly string[]).includes(name)) return name as Profile;
  const alias = (DEPRECATED_PROFILE_ALIASES as Readonly<Record<string, Profile>>)[name];
  if (alias !== undefined) return alias;
  throw new UsageError('NSOMOCK_USAGE', `Failed to resolve profile: unknown profile ${JSON.stringify(name)} (expected one of ${PROFILES.join(', ')}, or auto)`, {
    details: { option: 'profile', value: name },
  });
}

/** A profile setting → the forced profile, or undefined for `auto`/absent (per connection). */
export function resolveProfileSetting(setting: ProfileSetting | undefined): Profile | undefined {
  return setting === undefined || setting === 'auto' ? undefined : resolveProfile(setting);
}

/** Whether `name` is the deprecated alias (for a warning). */
export function isDeprecatedProfileName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(DEPRECATED_PROFILE_ALIASES, name);
}

/** How a profile reads in messages: `NSO 6.2, protocol 82`. */
export function describeProfile(profile: Profile): string {
  const info = PROFILE_INFO[profile];
  return `NSO ${info.nso}${info.status === 'inferred' ? ' (inferred)' : ''}`;
}
