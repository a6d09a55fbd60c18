// Which folders are labs: `up` writes a marker file into the state folder before anything else, and
// `down` deletes a folder only when it carries that marker. `--state` takes any path and the lab runs
// as root, so without this a typo in `ironlb-lab --state ~ down` would delete a home folder.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const LAB_MARKER = '.ironlb-lab'

const markerOf = (dir: string): string => join(dir, LAB_MARKER)

export const isLabFolder = (dir: string): boolean => existsSync(markerOf(dir))

const isEmptyOrAbsent = (dir: string): boolean => !existsSync(dir) || readdirSync(dir).length === 0

/** Why `down` must not delete `dir`, or undefined when it may (a lab's folder, or nothing there). */
export const refusalToRemove = (dir: string): string | undefined =>
  !existsSync(dir) || isLabFolder(dir)
    ? undefined
    : `${dir} is not a lab folder (no ${LAB_MARKER} marker in it): refusing to delete it; pass the --state folder \`ironlb-lab up\` created`

/** Makes `dir` the lab's: creates it with the marker, or refuses a folder that holds something else. */
export const claimLabFolder = (dir: string, labId: string): void => {
  if (!isLabFolder(dir) && !isEmptyOrAbsent(dir)) throw new Error(`${dir} is not empty and not a lab folder (no ${LAB_MARKER} marker): choose another --state folder`)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  writeFileSync(markerOf(dir), `IronLB lab ${labId}: \`ironlb-lab down\` deletes this folder\n`)
}
