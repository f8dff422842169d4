// The signed-in shell: a skip link, the banner with the merchant and the user, the labelled main
// navigation (from the page registry), and the main landmark each page renders into.
import { Suspense, useRef, useEffect } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { pagesFor } from '../pages/registry';
import { ROLE_LABELS, useSession, useUser } from '../session/session';
import { Loading } from './states';

export function Layout() {
  const user = useUser();
  const { logout } = useSession();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // A client-side navigation moves focus to the new page's main region (as a page load would).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="banner" role="banner">
        <span className="brand">Handoff</span>
        <span className="merchant-name" title="Merchant">
          {user.merchantName}
        </span>
        <div className="account">
          <span className="account-name">
            {user.name || user.email} <span className="role">{ROLE_LABELS[user.role]}</span>
          </span>
          <button type="button" className="button button-secondary" onClick={() => void logout()}>
            Sign out
          </button>
        </div>
      </header>
      <nav className="sidebar" aria-label="Main">
        <ul>
          {pagesFor(user.role)
            .filter((p) => p.navLabel)
            .map((p) => (
              <li key={p.path}>
                <NavLink to={`/${p.path}`} className={({ isActive }) => (isActive ? 'nav-link active' : 'nav-link')}>
                  {p.navLabel}
                </NavLink>
              </li>
            ))}
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1} className="content">
        <Suspense fallback={<Loading label="Loading page…" />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
