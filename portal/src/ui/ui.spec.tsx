import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Pagination, type CursorPages } from './pagination';
import { Empty, ErrorState, Loading } from './states';

const pages = (page: number): CursorPages => ({ after: page > 1 ? 'c' : undefined, page, next() {}, previous() {}, reset() {} });

describe('states', () => {
  it('announce loading politely and errors as alerts', () => {
    expect(renderToStaticMarkup(<Loading />)).toContain('role="status"');
    expect(renderToStaticMarkup(<ErrorState message="<b>x</b>" />)).toContain('role="alert"');
    expect(renderToStaticMarkup(<ErrorState message="<b>x</b>" />)).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(renderToStaticMarkup(<Empty title="Nothing yet" />)).toContain('Nothing yet');
  });
});

describe('Pagination', () => {
  it('is a labelled navigation; Previous is off on the first page, Next when there is no next page', () => {
    const first = renderToStaticMarkup(<Pagination pages={pages(1)} pageInfo={{ hasNextPage: true, endCursor: 'c1' }} totalCount={42} label="Conversions" />);
    expect(first).toContain('aria-label="Conversions pages"');
    expect(first).toMatch(/<button[^>]*disabled=""[^>]*>Previous<\/button>/);
    expect(first).toMatch(/<button type="button" class="button button-secondary">Next<\/button>/);
    expect(first).toContain('Page 1 · 42 in all');
    const last = renderToStaticMarkup(<Pagination pages={pages(3)} pageInfo={{ hasNextPage: false, endCursor: null }} label="Conversions" />);
    expect(last).toMatch(/<button type="button" class="button button-secondary">Previous<\/button>/);
    expect(last).toMatch(/<button[^>]*disabled=""[^>]*>Next<\/button>/);
  });
});
