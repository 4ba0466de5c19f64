/**
 * What a config parser reads through: typed getters over the stack's raw config (parseConfig builds
 * them), each recording a problem instead of throwing so parseConfig reports every problem at once.
 */
export interface Readers {
  str(key: string, def: string): string;
  optional(key: string): string | undefined;
  int(key: string, def: number, min: number, max: number): number;
  bool(key: string, def: boolean): boolean;
}
