/** The admin front's URL spaces: its pages and its API. Mail users' sessions are never read there, admins' never elsewhere. */
export function isAdminPath(url: string): boolean {
  return /^\/(api\/)?admin(?:[/?]|$)/.test(url);
}
